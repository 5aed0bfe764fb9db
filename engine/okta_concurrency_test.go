package engine_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	oktaemu "github.com/cardflow/cardflow/connectors/okta/emulator"
)

const joinFlow = `
connection "okta" "main" {
  org_url    = env("OKTA_ORG_URL")
  token      = env("OKTA_API_TOKEN")
  rate_limit = 1000
}

flow "join" {
  trigger "http.endpoint" {
    token = env("ENDPOINT_TOKEN")
  }
  card "create" {
    action     = okta.create_user
    connection = connection.okta.main
    profile    = { login = trigger.body.login, email = trigger.body.login, firstName = "New", lastName = "Joiner" }
  }
  card "staff" {
    action     = okta.add_user_to_group
    connection = connection.okta.main
    user       = card.create.id
    group      = "Staff"
  }
}
`

// concurrencyRefusals counts the emulator's 429s that report the
// concurrency limit (X-Rate-Limit-Limit 0), and the requests answered.
type concurrencyRefusals struct {
	next            http.Handler
	refused, served atomic.Int64
}

func (c *concurrencyRefusals) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.next.ServeHTTP(w, r)
	if w.Header().Get("X-Rate-Limit-Limit") == "0" {
		c.refused.Add(1)
	} else {
		c.served.Add(1)
	}
}

// TestOktaConcurrencyLimitRetries: sixteen executions at once, each
// creating a user and adding them to a group through the Okta connector,
// against an org that processes three requests at once and takes 100 ms
// over each. Many requests get Okta's concurrency 429 (limit 0, an
// estimated reset); every card waits and retries under its default policy,
// every execution succeeds, and the org holds each user and each
// membership once, with one System Log event for each write.
func TestOktaConcurrencyLimitRetries(t *testing.T) {
	const n, limit = 16, 3
	emu := oktaemu.New(oktaemu.Options{Token: "okta-token", EnforceRateLimits: true, ConcurrencyLimit: limit})
	t.Cleanup(emu.Close)
	if err := emu.Seed(oktaemu.Seed{Groups: []oktaemu.SeedGroup{{Name: "Staff"}}}); err != nil {
		t.Fatal(err)
	}
	emu.Inject(oktaemu.Fault{Latency: 100 * time.Millisecond, Until: time.Now().Add(time.Hour)})
	counted := &concurrencyRefusals{next: emu}
	okta := httptest.NewServer(counted)
	t.Cleanup(okta.Close)

	st, srv := oktaFlowEngine(t, joinFlow, okta.URL, n)

	login := func(i int) string { return fmt.Sprintf("joiner%02d@acme.example", i) }
	bodies := make([]string, n)
	for i := range n {
		bodies[i] = fmt.Sprintf(`{"login":%q}`, login(i))
	}
	invokeFlows(t, srv, "join", bodies)
	if succeeded, ok := waitSucceeded(t, st, "join", n, time.Now().Add(60*time.Second)); !ok {
		t.Fatalf("%d of %d executions succeeded after 60 s (%d concurrency 429s)", succeeded, n, counted.refused.Load())
	}

	if counted.refused.Load() == 0 {
		t.Error("the emulator refused no request for concurrency: the limit was not reached")
	}
	if got := emu.InFlight(); got != 0 {
		t.Errorf("%d requests still in flight", got)
	}
	members := map[string]int{}
	for _, u := range emu.GroupMembers("Staff") {
		members[u.Profile["login"].(string)]++
	}
	events := map[string]int{}
	for _, ev := range emu.LogEvents() {
		events[ev.EventType]++
	}
	if len(emu.Users()) != n || len(members) != n || events["user.lifecycle.create"] != n || events["group.user_membership.add"] != n {
		t.Errorf("%d users, %d Staff members, events %v; want %d of each, once", len(emu.Users()), len(members), events, n)
	}
	for i := range n {
		if _, ok := emu.User(login(i)); !ok || members[login(i)] != 1 {
			t.Errorf("%s: exists %v, %d Staff memberships; want the user, once a member", login(i), ok, members[login(i)])
		}
	}
	t.Logf("%d requests served, %d refused for concurrency", counted.served.Load(), counted.refused.Load())
}
