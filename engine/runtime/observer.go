package runtime

import (
	"time"

	"github.com/cardflow/cardflow/engine/store"
)

// Observer receives what metrics count. Implementations must be fast and
// safe for concurrent use.
type Observer interface {
	CardAttempt(flow, card string, d time.Duration, err error)
	Retry(flow, card string)
	ExecutionDone(flow string, status store.Status, d time.Duration)
}

type nopObserver struct{}

func (nopObserver) CardAttempt(string, string, time.Duration, error)  {}
func (nopObserver) Retry(string, string)                              {}
func (nopObserver) ExecutionDone(string, store.Status, time.Duration) {}
