package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cardflow/cardflow/engine/server"
	"github.com/cardflow/cardflow/engine/store"
)

const replyHCL = `
flow "lookup" {
  trigger "http.endpoint" {
    token         = env("HR_ENDPOINT_TOKEN")
    reply         = "result"
    reply_timeout = "3s"
  }
  card "r" {
    action = flow.return
    result = { found = true }
  }
}

flow "raw" {
  trigger "http.endpoint" {
    token         = env("HR_ENDPOINT_TOKEN")
    reply         = "raw"
    reply_timeout = "3s"
  }
  card "r" {
    action = flow.return
    result = { status = 202 }
  }
}

flow "quick" {
  trigger "http.endpoint" {
    token         = env("HR_ENDPOINT_TOKEN")
    reply         = "result"
    reply_timeout = "300ms"
  }
  card "r" {
    action = flow.return
  }
}
`

// TestReplyEndedElsewhere: the fixture has no workers, so the execution of
// each call is ended "by another replica": straight in the store, which
// the server hears nothing of. The server still answers, as the outcome
// says, by reading the store.
func TestReplyEndedElsewhere(t *testing.T) {
	f := newFixture(t, loadGen(t, replyHCL))
	tests := []struct {
		name, flow    string
		status        store.Status
		output, error string
		wantStatus    int
		wantBody      string // a part of it
		wantHeader    map[string]string
	}{
		{name: "succeeded", flow: "lookup", status: store.Succeeded, output: `{"found":true}`,
			wantStatus: 200, wantBody: `{"found":true}`, wantHeader: map[string]string{"Content-Type": "application/json"}},
		{name: "halted without a result", flow: "lookup", status: store.Halted, wantStatus: 204},
		{name: "filtered", flow: "lookup", status: store.Filtered, wantStatus: 204},
		{name: "failed", flow: "lookup", status: store.Failed, error: "card r: GET https://internal.example/secret-path: 500",
			wantStatus: 500, wantBody: `"the flow failed"`},
		{name: "canceled", flow: "lookup", status: store.Canceled, error: "canceled by alice: card r: internal.example",
			wantStatus: 409, wantBody: `"the execution was canceled"`},
		{name: "raw", flow: "raw", status: store.Succeeded, output: `{"status":202,"headers":{"X-A":"b"},"body":"ok"}`,
			wantStatus: 202, wantBody: "ok", wantHeader: map[string]string{"X-A": "b", "Content-Type": "text/plain; charset=utf-8"}},
		{name: "raw that is not a reply", flow: "raw", status: store.Succeeded, output: `{"statusCode":200}`,
			wantStatus: 500, wantBody: "not a valid reply"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			done := make(chan response, 1)
			go func() {
				done <- f.do(t, "POST", "/flows/"+tt.flow+"/invoke?clientToken=hr-token", []byte("{}"), nil)
			}()
			ex := claimOne(t, f.backend.st)
			var out []byte
			if tt.output != "" {
				out = []byte(tt.output)
			}
			if err := f.backend.st.Finish(context.Background(), ex.ID, tt.status, out, tt.error); err != nil {
				t.Fatal(err)
			}
			r := <-done
			if r.Status != tt.wantStatus || !strings.Contains(r.Body, tt.wantBody) {
				t.Fatalf("answer %d %s; want %d with %s", r.Status, r.Body, tt.wantStatus, tt.wantBody)
			}
			if got := r.Header.Get(server.ExecutionHeader); got != ex.ID {
				t.Errorf("%s = %q, want %q", server.ExecutionHeader, got, ex.ID)
			}
			for k, v := range tt.wantHeader {
				if got := r.Header.Get(k); got != v {
					t.Errorf("header %s = %q, want %q", k, got, v)
				}
			}
			if tt.error != "" && (strings.Contains(r.Body, "internal.example") || strings.Contains(r.Body, "card r")) {
				t.Errorf("the answer carries the execution's error: %s", r.Body)
			}
		})
	}
}

// claimOne claims the one pending execution as another replica would,
// waiting for the call to store it.
func claimOne(t *testing.T, st store.Store) *store.Execution {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		exs, err := st.Claim(context.Background(), "other-replica", 1, time.Minute, store.ClaimOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(exs) == 1 {
			return exs[0]
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("the call stored no execution")
	return nil
}

// TestReplyTimeout: an execution that does not end within reply_timeout is
// answered 504 with its id, and stays in the store to run.
func TestReplyTimeout(t *testing.T) {
	f := newFixture(t, loadGen(t, replyHCL))
	start := time.Now()
	r := f.do(t, "POST", "/flows/quick/invoke?clientToken=hr-token", []byte("{}"), nil)
	took := time.Since(start)
	var body struct{ Error, Execution string }
	if err := json.Unmarshal([]byte(r.Body), &body); err != nil || r.Status != http.StatusGatewayTimeout || body.Execution == "" {
		t.Fatalf("answer %d %s; want 504 with the execution", r.Status, r.Body)
	}
	if took < 300*time.Millisecond {
		t.Errorf("answered after %s, before the reply_timeout of 300ms", took)
	}
	ex, err := f.backend.st.Execution(context.Background(), body.Execution)
	if err != nil || ex.Status != store.Pending {
		t.Errorf("execution after the 504: %v %v; want it pending still", ex, err)
	}
}
