package engine_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	snemu "github.com/cardflow/cardflow/connectors/servicenow/emulator"
	"github.com/cardflow/cardflow/engine"
	"github.com/cardflow/cardflow/engine/lang"
	"github.com/cardflow/cardflow/engine/server"
	"github.com/cardflow/cardflow/engine/store"
	"github.com/cardflow/cardflow/engine/store/memory"
)

// offboardFlows wait (flow.wait, for as long as the event says) and then
// open a ServiceNow incident: the side effect a canceled execution must
// never have.
const offboardFlows = `
connection "servicenow" "main" {
  instance_url = env("SN_URL")
  username     = "svc.cardflow"
  password     = env("SN_PASSWORD")
}

flow "offboard" {
  trigger "http.endpoint" {
    token = env("ENDPOINT_TOKEN")
  }
  card "pause" {
    action = flow.wait
    for    = trigger.body.wait
  }
  card "ticket" {
    action     = servicenow.create_record
    connection = connection.servicenow.main
    table      = "incident"
    fields = {
      short_description = "Offboard ${trigger.body.user}"
      correlation_id    = trigger.body.user
    }
  }
}

flow "ticket" {
  trigger "http.endpoint" {
    token = env("ENDPOINT_TOKEN")
  }
  card "open" {
    action     = servicenow.create_record
    connection = connection.servicenow.main
    table      = "incident"
    fields = {
      short_description = "Access for ${trigger.body.user}"
      correlation_id    = trigger.body.user
    }
    retry {
      attempts    = 3
      backoff     = "30m"
      max_backoff = "1h"
    }
  }
}
`

// offboardEngine is the real engine over a memory store, serving
// offboardFlows against the ServiceNow emulator, with its public and admin
// surfaces.
type offboardEngine struct {
	st         store.Store
	sn         *snemu.Emulator
	pub, admin *httptest.Server
}

func startOffboard(t *testing.T) *offboardEngine {
	t.Helper()
	sn := snemu.New(snemu.Options{Users: map[string]string{"svc.cardflow": "sn-password"}})
	snSrv := httptest.NewServer(sn)
	t.Cleanup(snSrv.Close)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "flows.hcl"), []byte(offboardFlows), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"ENDPOINT_TOKEN": endpointToken, "SN_URL": snSrv.URL, "SN_PASSWORD": "sn-password"}
	st := memory.New()
	e := engine.New(engine.Options{
		Registry: engineRegistry(), Store: st, Paths: []string{dir}, Workers: 2, Owner: "test",
		Host: lang.Host{LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok }},
	})
	if diags, err := e.Reload(t.Context()); err != nil {
		t.Fatalf("Reload: %v %s", err, diags.Error())
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()
	pub := httptest.NewServer(e.Handler())
	admin := httptest.NewServer(e.Admin(server.AdminOptions{Auth: server.LoopbackTrust{}}))
	t.Cleanup(func() {
		pub.Close()
		admin.Close()
		cancel()
		<-done
		_ = st.Close()
	})

	return &offboardEngine{st: st, sn: sn, pub: pub, admin: admin}
}

// start invokes flow with {"user": user, "wait": wait} and returns the
// execution's id.
func (r *offboardEngine) start(t *testing.T, flow, user, wait string) string {
	t.Helper()
	req, _ := http.NewRequest("POST", r.pub.URL+"/flows/"+flow+"/invoke", strings.NewReader(`{"user":"`+user+`","wait":"`+wait+`"}`))
	req.Header.Set("X-Api-Client-Token", endpointToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := r.pub.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var body struct{ Executions []string }
	_ = json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted || len(body.Executions) != 1 {
		t.Fatalf("invoke: %d, executions %q", resp.StatusCode, body.Executions)
	}
	return body.Executions[0]
}

// waitFor waits until execution id has status want, within a time.
func (r *offboardEngine) waitFor(t *testing.T, id string, want store.Status, within time.Duration) *store.Execution {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		ex, err := r.st.Execution(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		if ex.Status == want {
			return ex
		}
		if time.Now().After(deadline) {
			t.Fatalf("execution %s is %s (%s) after %v, want %s", id, ex.Status, ex.Error, within, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// post sends body to path on the admin surface and reads the execution it
// answers.
func (r *offboardEngine) post(t *testing.T, path, body string) (int, server.ExecutionJSON) {
	t.Helper()
	resp, err := r.admin.Client().Post(r.admin.URL+path, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v server.ExecutionJSON
	_ = json.NewDecoder(resp.Body).Decode(&v)
	return resp.StatusCode, v
}

// incidents counts the emulator's incidents about user.
func (r *offboardEngine) incidents(user string) int {
	return len(r.sn.Find("incident", "correlation_id="+user))
}

// TestCancelAndWakeThroughTheAdminAPI runs the real engine against the
// ServiceNow emulator: of two executions parked in flow.wait, the one
// canceled through the API never opens its incident, even after its wake
// time; the one woken through the API opens it at once, long before the
// hour it was parked for.
func TestCancelAndWakeThroughTheAdminAPI(t *testing.T) {
	r := startOffboard(t)

	alice := r.start(t, "offboard", "alice", "2s")
	bob := r.start(t, "offboard", "bob", "1h")
	aliceWake := r.waitFor(t, alice, store.Waiting, 10*time.Second).WakeAt
	bobWake := r.waitFor(t, bob, store.Waiting, 10*time.Second).WakeAt

	if code, v := r.post(t, "/api/v1/executions/"+alice+"/cancel", `{"reason":"user left before approval"}`); code != http.StatusOK ||
		v.Status != "canceled" || v.Error != "canceled by loopback: user left before approval" {
		t.Fatalf("cancel: %d %+v", code, v)
	}
	woken := time.Now()
	if code, v := r.post(t, "/api/v1/executions/"+bob+"/wake", ""); code != http.StatusOK || v.Status != "waiting" {
		t.Fatalf("wake: %d %+v", code, v)
	}
	ex := r.waitFor(t, bob, store.Succeeded, 10*time.Second)
	if !ex.EndedAt.Before(bobWake.Add(-50 * time.Minute)) {
		t.Errorf("the woken execution ended at %v; it was parked until %v", ex.EndedAt, bobWake)
	}
	if n := r.incidents("bob"); n != 1 {
		t.Errorf("the woken execution opened %d incidents, want 1", n)
	}
	// The wake told the workers: the claim did not wait for its poll.
	t.Logf("woken execution ended %v after the wake", ex.EndedAt.Sub(woken))

	// Past the canceled execution's wake time, and a few polls more.
	time.Sleep(time.Until(aliceWake) + time.Second)
	if ex := r.waitFor(t, alice, store.Canceled, time.Second); ex.Claims != 0 {
		t.Errorf("the canceled execution was claimed again: Claims %d", ex.Claims)
	}
	if n := r.incidents("alice"); n != 0 {
		t.Errorf("the canceled execution opened %d incidents, want none", n)
	}
	// A running or finished one is refused.
	if code, _ := r.post(t, "/api/v1/executions/"+bob+"/cancel", ""); code != http.StatusConflict {
		t.Errorf("cancel of a succeeded execution: %d, want 409", code)
	}
	if code, _ := r.post(t, "/api/v1/executions/"+alice+"/wake", ""); code != http.StatusConflict {
		t.Errorf("wake of a canceled execution: %d, want 409", code)
	}
	resp, err := r.admin.Client().Get(r.admin.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var metrics strings.Builder
	_, _ = io.Copy(&metrics, resp.Body)
	if want := `cardflow_executions_total{flow="offboard",status="canceled"} 1`; !strings.Contains(metrics.String(), want) {
		t.Errorf("metrics lack %s:\n%s", want, grepLines(metrics.String(), "cardflow_executions_total"))
	}
}

// TestWakeARetryingCard: a card whose retry waits half an hour (ServiceNow
// answered 429 with a Retry-After of 30 minutes, which the backoff
// honours) parks its execution; woken through the API, it makes its next
// attempt at once and opens the incident.
func TestWakeARetryingCard(t *testing.T) {
	r := startOffboard(t)
	r.sn.Inject(snemu.Fault{Method: "POST", PathPrefix: "/api/now/table/incident", Status: http.StatusTooManyRequests, RetryAfter: 30 * time.Minute})
	id := r.start(t, "ticket", "dana", "")
	parked := r.waitFor(t, id, store.Waiting, 10*time.Second)
	if until := time.Until(parked.WakeAt); until < 25*time.Minute {
		t.Fatalf("the retry parked it for %v, want 30m (the Retry-After)", until)
	}
	if n := r.incidents("dana"); n != 0 {
		t.Fatalf("%d incidents before the wake", n)
	}
	if code, v := r.post(t, "/api/v1/executions/"+id+"/wake", ""); code != http.StatusOK {
		t.Fatalf("wake: %d %+v", code, v)
	}
	r.waitFor(t, id, store.Succeeded, 10*time.Second)
	if n := r.incidents("dana"); n != 1 {
		t.Errorf("the woken retry opened %d incidents, want 1", n)
	}
	j, err := r.st.Journal(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	last := j[len(j)-1]
	if last.Card != "open" || last.Status != store.EntryOK || last.Attempt != 2 {
		t.Errorf("the last entry is %s attempt %d %s, want open's attempt 2 ok", last.Card, last.Attempt, last.Status)
	}
}
