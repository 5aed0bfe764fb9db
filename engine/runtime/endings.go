package runtime

import (
	"sync"
	"sync/atomic"
)

// Endings tells whoever waits for an execution that it ended in this
// process: the executor signals each outcome it recorded (store.Finish
// returned), and an endpoint call that answers with the flow's result
// waits on it instead of reading the store in a loop. It only tells that
// the outcome is in the store; the waiter reads it there.
//
// It knows nothing of executions other processes end (replicas on a
// shared store): waiters that may see those read the store at an interval
// besides.
//
// The zero value is ready to use; a nil *Endings signals nothing, and
// signalling costs an atomic load while no one waits.
type Endings struct {
	waiting atomic.Int64 // watches open
	mu      sync.Mutex
	watches map[string][]chan struct{}
}

// Watch returns a channel that is closed when execution id ends in this
// process after the call, and stop, which must be called when the caller
// stops waiting. An execution that ended before Watch is not signalled:
// watch first, then read the store.
func (e *Endings) Watch(id string) (ended <-chan struct{}, stop func()) {
	ch := make(chan struct{})
	e.mu.Lock()
	if e.watches == nil {
		e.watches = map[string][]chan struct{}{}
	}
	e.watches[id] = append(e.watches[id], ch)
	e.mu.Unlock()
	e.waiting.Add(1)
	var once sync.Once
	return ch, func() { once.Do(func() { e.unwatch(id, ch) }) }
}

func (e *Endings) unwatch(id string, ch chan struct{}) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.waiting.Add(-1)
	chs := e.watches[id]
	for i, c := range chs {
		if c == ch {
			chs = append(chs[:i], chs[i+1:]...)
			break
		}
	}
	if len(chs) == 0 {
		delete(e.watches, id)
	} else {
		e.watches[id] = chs
	}
}

// ended signals the watches of id: its outcome is in the store.
func (e *Endings) ended(id string) {
	if e == nil || e.waiting.Load() == 0 {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, ch := range e.watches[id] {
		close(ch)
	}
	// A channel is closed once: later watches of id make their own.
	delete(e.watches, id)
}
