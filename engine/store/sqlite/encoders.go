package sqlite

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// encoders runs the S2 dictionary encodes (see encode) on a few goroutines
// of their own while a writable store is open.
//
// S2's dictionary encoder keeps its 64 KiB hash table on the stack, so
// every goroutine that packed a value grew its stack to 128 KiB: each hook
// connection's (the intake packs a delivery's payload on the request's
// goroutine) and each worker's. With 256 connections delivering, stacks
// were 40 MB of the engine's memory, and the garbage collector shrank the
// idle ones, which their next encode grew again (copying the stack each
// time, 2 % of the engine's CPU). A handful of long-lived encoders keep the
// grown stacks instead. Handing a value over costs two goroutine switches,
// a microsecond or two against the encode's several.
//
// Stores share the encoders: the first Open starts them, the last Close
// stops them. An encode asked for while none run is done on the caller's
// goroutine.
var encoders encoderPool

type encoderPool struct {
	mu    sync.Mutex
	users int
	cur   atomic.Pointer[encoderSet] // nil while none run
	wg    sync.WaitGroup
}

// encoderSet is one start of the encoders: the jobs they take and what
// stops them.
type encoderSet struct {
	jobs chan *encodeJob
	quit chan struct{} // closed when they stop
}

// encodeJob is one value to encode (see encodeInline); done is closed when
// out and ok are set.
type encodeJob struct {
	v, head []byte
	limit   int
	out     []byte
	ok      bool
	done    chan struct{}
}

// acquire starts the encoders unless they run; release stops them when
// the last store that acquired them releases them.
func (p *encoderPool) acquire() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.users++; p.users > 1 {
		return
	}
	set := &encoderSet{jobs: make(chan *encodeJob), quit: make(chan struct{})}
	n := max(2, runtime.GOMAXPROCS(0))
	p.wg.Add(n)
	for range n {
		go p.run(set)
	}
	p.cur.Store(set)
}

func (p *encoderPool) release() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.users--; p.users > 0 {
		return
	}
	set := p.cur.Swap(nil)
	close(set.quit)
	p.wg.Wait()
}

// run encodes the jobs it takes until quit is closed; a job taken is always
// finished.
func (p *encoderPool) run(set *encoderSet) {
	defer p.wg.Done()
	for {
		select {
		case j := <-set.jobs:
			j.out, j.ok = encodeInline(j.v, j.head, j.limit)
			close(j.done)
		case <-set.quit:
			return
		}
	}
}

// encode is encodeInline, run by an encoder, or on this goroutine when none
// runs.
func (p *encoderPool) encode(v, head []byte, limit int) ([]byte, bool) {
	set := p.cur.Load()
	if set == nil {
		return encodeInline(v, head, limit)
	}
	j := &encodeJob{v: v, head: head, limit: limit, done: make(chan struct{})}
	select {
	case set.jobs <- j:
		<-j.done
		return j.out, j.ok
	case <-set.quit:
		return encodeInline(v, head, limit)
	}
}
