package main

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cardflow/cardflow/engine/server"
)

// parkedWait is how long the flow below waits: long enough to kill and
// restart cardflow before it is due.
const parkedWait = 12 * time.Second

// waitThenListFlow waits after a user was created, then lists the user's
// groups: a request no onboarding flow makes, so that the emulator's log
// tells when the card after the wait ran.
const waitThenListFlow = `
flow "wait_then_list" {
  trigger "okta.event_hook" {
    connection  = connection.okta.main
    event_types = ["user.lifecycle.create"]
  }

  card "grace" {
    action = flow.wait
    for    = "12s"
  }

  card "groups" {
    action     = okta.list_user_groups
    connection = connection.okta.main
    user       = trigger.event.target[0].id
  }
}
`

// waitParked waits for the execution of flow for needle to be parked and
// returns it.
func (e *e2e) waitParked(flow, needle string) server.ExecutionJSON {
	e.t.Helper()
	var id string
	eventually(e.t, "a waiting "+flow+" execution", func() bool {
		for _, ex := range e.executionsFor(flow, needle) {
			if ex.Status == "waiting" {
				id = ex.ID
				return true
			}
		}
		return false
	})
	return e.execution(id)
}

// The process is killed (SIGKILL) while an execution is parked on a
// flow.wait card. Restarted on the same store, it leaves the execution
// parked until its wake-up time, then runs the card after the wait once.
func TestE2EParkedWaitSurvivesKill(t *testing.T) {
	e := newE2E(t)
	if err := os.WriteFile(filepath.Join(e.flowDir, "wait_then_list.hcl"), []byte(waitThenListFlow), 0o644); err != nil {
		t.Fatal(err)
	}
	e.start()
	u, err := e.okta.CreateUser(map[string]any{"firstName": "Pat", "lastName": "Ience", "email": "pat.ience@acme.example", "login": "pat.ience@acme.example"}, false)
	if err != nil {
		t.Fatal(err)
	}
	parked := e.waitParked("wait_then_list", u.ID)
	if parked.WakeAt == nil {
		t.Fatalf("parked execution %s has no wake_at", parked.ID)
	}
	wake := *parked.WakeAt
	if d := time.Until(wake); d <= 0 || d > parkedWait {
		t.Fatalf("wake_at %s is %s away, want within %s", wake, d, parkedWait)
	}
	if n := len(parked.Cards); n != 1 || parked.Cards[0].Card != "grace" || parked.Cards[0].Status != "waiting" {
		t.Fatalf("journal of the parked execution: %+v, want one waiting entry of grace", parked.Cards)
	}
	e.cur.kill()

	e.start()
	if time.Now().Before(wake) {
		if ex := e.execution(parked.ID); ex.Status != "waiting" {
			t.Errorf("after the restart, before its wake-up time: %s, want waiting", ex.Status)
		}
	}
	listGroups := func(r request) bool {
		return r.Method == http.MethodGet && r.Path == "/api/v1/users/"+u.ID+"/groups"
	}
	ex := e.waitExecution("wait_then_list", u.ID)
	if ex.ID != parked.ID || ex.Status != "succeeded" {
		t.Fatalf("execution %s: %s (%s), want %s succeeded", ex.ID, ex.Status, ex.Error, parked.ID)
	}
	calls := e.oktaLog.matching(listGroups)
	if len(calls) != 1 {
		t.Fatalf("%d group listings, want 1", len(calls))
	}
	if calls[0].Start.Before(wake) {
		t.Errorf("the card after the wait ran at %s, before the wake-up time %s", calls[0].Start, wake)
	}
	oneAttemptEach(t, ex, map[string]int{"grace": 2, "groups": 1})
}
