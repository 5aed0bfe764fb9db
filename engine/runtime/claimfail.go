package runtime

import (
	"fmt"
	"log/slog"
	"time"
)

// ClaimWatcher is told how the claim loop's claims go, as they start and
// as they end: the engine's store health, which reports a store whose
// claims fail (a database that cannot be reached) as unavailable.
type ClaimWatcher interface {
	ClaimStarted(now time.Time)
	ClaimEnded(err error, now time.Time)
}

// claimFailureLogEvery is how often the claim loop says again that its
// claims still fail. It claims several times a second: a line for each
// failure would bury the log during a database outage.
const claimFailureLogEvery = time.Minute

// claimFailures is the claim loop's record of an outage: claims that fail
// one after another are logged when they start to, about once a minute
// while they go on, and once when a claim works again. Only the claim
// loop uses it.
type claimFailures struct {
	since  time.Time // the first failure of the outage; zero while claims work
	failed int       // claims failed since
	logged time.Time // the last line about it
}

// ended records a claim's outcome at now and logs what an operator needs.
func (c *claimFailures) ended(log *slog.Logger, err error, now time.Time) {
	switch {
	case err != nil && c.since.IsZero():
		c.since, c.failed, c.logged = now, 1, now
		log.Error("claiming executions failed", "err", err)
	case err != nil:
		c.failed++
		if now.Sub(c.logged) >= claimFailureLogEvery {
			c.logged = now
			log.Error("claiming executions still fails", "err", err,
				"for", now.Sub(c.since).Round(time.Second).String(), "failed_claims", c.failed)
		}
	case !c.since.IsZero():
		d := now.Sub(c.since).Round(time.Second)
		log.Info(fmt.Sprintf("claiming executions works again after %s", d),
			"for", d.String(), "failed_claims", c.failed)
		*c = claimFailures{}
	}
}
