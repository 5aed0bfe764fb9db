package main

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	oktaemu "github.com/cardflow/cardflow/connectors/okta/emulator"
)

// inFlightGrace is how long after Okta answered a 429 a request may still
// reach the emulator's handler that cardflow sent before the answer reached
// it: the requests of one burst are sent together, but the race-instrumented
// test process, on a busy machine, may take a while to serve each of them.
const inFlightGrace = 250 * time.Millisecond

// oktaLatency holds the next matching Okta request for d.
func oktaLatency(method, pathPrefix string, d time.Duration) oktaemu.Fault {
	return oktaemu.Fault{Method: method, PathPrefix: pathPrefix, Latency: d}
}

// Okta answers 429 to group memberships twice in a row, each time with a
// reset 3 s away (and 429 to every membership call until then). The
// approvals finish late, but finish, and cardflow sends nothing to that
// endpoint between a 429 and the reset it announced. The first approval
// opens the window; the other two start while it is open, a poll interval
// later, so that calls that ignore it would reach Okta well after the 429.
func TestE2ERateLimitStorm(t *testing.T) {
	e := newE2E(t)
	e.start()

	const resetAfter = 3 * time.Second
	type hire struct{ user, sysID string }
	var hires []hire
	for _, name := range []string{"Rate", "Limit", "Storm"} {
		user, inc := e.newHire(name, "User")
		e.waitExecution("request_approval", user)
		hires = append(hires, hire{user, inc["sys_id"]})
	}
	e.okta.Inject(oktaemu.Fault{Method: http.MethodPut, PathPrefix: "/api/v1/groups/", Status: http.StatusTooManyRequests, Count: 2, ResetAfter: resetAfter})
	e.approve(hires[0].sysID)
	eventually(t, "the first 429", func() bool {
		return e.oktaLog.count(func(r request) bool { return r.Status == http.StatusTooManyRequests }) > 0
	})
	e.waitPolls(1)
	for _, h := range hires[1:] {
		e.approve(h.sysID)
	}
	for _, h := range hires {
		e.waitIncidentState(h.sysID, "7")
		if pa := e.waitExecution("provision_on_approval", h.user); pa.Status != "succeeded" {
			t.Errorf("provision_on_approval for %s: %s (%s), want succeeded", h.user, pa.Status, pa.Error)
		}
		if diff := cmp.Diff([]string{"Employees", "VPN Users"}, sorted(e.groupNames(h.user))); diff != "" {
			t.Errorf("groups of %s (-want +got):\n%s", h.user, diff)
		}
	}

	var puts, limited []request
	for _, r := range e.oktaLog.all() {
		if r.Method == http.MethodPut && strings.HasPrefix(r.Path, "/api/v1/groups/") {
			puts = append(puts, r)
			if r.Status == http.StatusTooManyRequests {
				limited = append(limited, r)
			}
		}
	}
	if len(limited) < 2 {
		t.Fatalf("%d membership calls answered 429, want at least 2 (one per exhausted window)", len(limited))
	}
	var lastOK time.Time
	for _, r := range puts {
		if r.Status == http.StatusNoContent || r.Status == http.StatusOK {
			lastOK = r.Start
		}
		// A call that reached Okta after cardflow had a 429 in hand and
		// before the reset it announced bounced off a limit cardflow knew
		// about. Calls within inFlightGrace of the 429 crossed it on the
		// wire: they were sent before its answer arrived.
		for _, l := range limited {
			if r.Start.After(l.End.Add(inFlightGrace)) && r.Start.Before(l.Reset) {
				t.Errorf("membership call at %s, %s after a 429 whose reset was %s",
					r.Start.Format("15:04:05.000"), r.Start.Sub(l.End).Round(time.Millisecond), l.Reset.Format("15:04:05"))
				break
			}
		}
	}
	if n := e.metric("cardflow_card_retries_total", `card="add_groups",flow="provision_on_approval"`); n < 1 {
		t.Errorf("cardflow_card_retries_total of add_groups = %v, want the 429s retried", n)
	}
	if took := lastOK.Sub(limited[0].Start); took < 2*resetAfter {
		t.Errorf("the memberships went through %s after the first 429, want at least two reset windows (%s)", took, 2*resetAfter)
	}
}
