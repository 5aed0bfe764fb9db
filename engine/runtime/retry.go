package runtime

import (
	"math/rand/v2"
	"time"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/plan"
)

// MaxServerWait caps how long a card waits for a server's rate-limit reset.
// A reset further away fails the attempt rather than holding a worker.
const MaxServerWait = time.Hour

// retryDelay decides whether attempt (1-based, just failed with err) is
// retried and after how long. Only transient and rate-limited failures are
// retried. The delay is exponential backoff with full jitter, capped at the
// policy's MaxBackoff, and never earlier than the server's reset time.
func retryDelay(p plan.RetryPolicy, attempt int, err error, now time.Time, rnd func(int64) int64) (time.Duration, bool) {
	kind := connector.KindOf(err)
	if !kind.Retryable() || attempt >= p.Attempts {
		return 0, false
	}
	ceiling := p.Backoff << (attempt - 1)
	if ceiling <= 0 || ceiling > p.MaxBackoff {
		ceiling = p.MaxBackoff
	}
	var d time.Duration
	if ceiling > 0 {
		d = time.Duration(rnd(int64(ceiling) + 1))
	}
	if at := connector.RetryAt(err); !at.IsZero() {
		wait := at.Sub(now)
		if wait > MaxServerWait {
			return 0, false
		}
		// Wait for the reset, spread a little so that every waiting
		// execution does not hit the server in the same millisecond.
		if wait > 0 {
			spread := time.Duration(rnd(int64(wait/10) + 1))
			if wait+spread > d {
				d = wait + spread
			}
		}
	}
	return d, true
}

func defaultRand(n int64) int64 {
	if n <= 0 {
		return 0
	}
	return rand.Int64N(n)
}
