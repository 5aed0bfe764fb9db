package emulator

import (
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
)

// DefaultConcurrencyLimit is Okta's default concurrency limit for
// Workforce and Customer Identity orgs: how many API requests an org
// processes at once (developer.okta.com rl2-concurrency; 35 for
// Integrator Free orgs).
const DefaultConcurrencyLimit = 75

// NoConcurrencyLimit as Options.ConcurrencyLimit turns the concurrency
// limit off while the per-endpoint rate limits are enforced.
const NoConcurrencyLimit = -1

// concurrency counts the API requests in flight across every endpoint,
// limit or not. A request over the limit is refused with 429 E0000047
// before anything else is done with it, as Okta refuses it:
// X-Rate-Limit-Limit and -Remaining are 0 and -Reset is only an estimate.
type concurrency struct {
	limit    int64 // 0: no limit
	inFlight atomic.Int64
}

func newConcurrency(opts Options) *concurrency {
	c := &concurrency{}
	switch {
	case !opts.EnforceRateLimits || opts.ConcurrencyLimit < 0:
	case opts.ConcurrencyLimit == 0:
		c.limit = DefaultConcurrencyLimit
	default:
		c.limit = int64(opts.ConcurrencyLimit)
	}
	return c
}

// enter takes a slot for a request; it reports false when all are taken.
// A request that entered must leave exactly once, however it ends.
func (c *concurrency) enter() bool {
	if c.limit == 0 {
		c.inFlight.Add(1)
		return true
	}
	for {
		n := c.inFlight.Load()
		if n >= c.limit {
			return false
		}
		if c.inFlight.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

func (c *concurrency) leave() { c.inFlight.Add(-1) }

// InFlight reports how many API requests the emulator is processing now:
// the count its concurrency limit (Options.ConcurrencyLimit) applies to.
// The emulator's own controls are not counted.
func (e *Emulator) InFlight() int { return int(e.inFlight.inFlight.Load()) }

// concurrencyRefusal is the X-Rate-Limit-* header values of a request
// refused by the concurrency limit: Limit and Remaining are 0, Reset is
// the estimate that the next whole second frees a slot (Okta processes
// most requests in milliseconds). A client that waits as okta-sdk-golang
// does, Reset - Date + 1 s, comes back two seconds later.
func concurrencyRefusal(h http.Header, now time.Time) {
	zero := []string{"0"}
	h["X-Rate-Limit-Limit"] = zero
	h["X-Rate-Limit-Remaining"] = zero
	h["X-Rate-Limit-Reset"] = []string{strconv.FormatInt(now.Unix()+1, 10)}
}
