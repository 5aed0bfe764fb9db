package runtime

import (
	"errors"
	"fmt"
	"time"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/plan"
)

// gaveUp is a card's last error with the reason the retry policy stopped:
// its budget of attempts spent, a server reset too far away, or an error
// no retry fixes. Its message is the card's error, which flows see
// (error.message, error flows); the execution's recorded error, which
// `cardflow show` and the history API print, adds the reason (outcome).
type gaveUp struct {
	err    error
	reason string
}

func (g *gaveUp) Error() string { return g.err.Error() }
func (g *gaveUp) Unwrap() error { return g.err }

// outcome is the error recorded for a failed execution: err's message and,
// when a card gave up, why it did.
func outcome(err error, sec *secrets) string {
	msg := err.Error()
	var g *gaveUp
	if errors.As(err, &g) {
		msg += " (" + sec.scrub(g.reason) + ")"
	}
	return msg
}

// giveUpReason explains why retryDelay declined to retry attempt, which
// failed with err after the card had been trying for elapsed.
func giveUpReason(p plan.RetryPolicy, attempt int, err error, now time.Time, elapsed time.Duration) string {
	kind := connector.KindOf(err)
	if !kind.Retryable() {
		return fmt.Sprintf("not retried: %s errors are permanent", kind)
	}
	if attempt >= p.Attempts {
		if attempt == 1 {
			return "not retried: the card's retry policy allows one attempt"
		}
		return fmt.Sprintf("gave up after %s over %s: the retry budget (attempts = %d) is spent",
			attempts(attempt), elapsed.Round(time.Millisecond), p.Attempts)
	}
	if at := connector.RetryAt(err); !at.IsZero() {
		return fmt.Sprintf("gave up after %s: the server asks to wait %s, longer than the %s a card waits",
			attempts(attempt), at.Sub(now).Round(time.Second), MaxServerWait)
	}
	return "gave up after " + attempts(attempt)
}

func attempts(n int) string {
	if n == 1 {
		return "1 attempt"
	}
	return fmt.Sprintf("%d attempts", n)
}
