package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cardflow/cardflow/engine/store/postgres/pgtest"
)

const e2eReplyReplicaFlows = `
variable "endpoint_token" {
  type      = string
  sensitive = true
}

variable "blocker_url" {
  type = string
}

# Holds a worker until the test lets the blocker answer.
flow "hold" {
  trigger "http.endpoint" {
    token = var.endpoint_token
  }
  card "block" {
    action = http.request
    url    = var.blocker_url
  }
}

flow "lookup" {
  trigger "http.endpoint" {
    token         = var.endpoint_token
    reply         = "result"
    reply_timeout = "10s"
  }
  card "answer" {
    action = flow.return
    result = { user = trigger.body.user, found = true }
  }
}
`

// TestE2EReplyFromAnotherReplica runs two `cardflow run` processes on one
// PostgreSQL database. The first has one worker, busy with an execution
// that waits on the test, and holds no call for a worker (--ack-wait 0): an
// endpoint call to it that waits for its flow's result is stored pending
// and run by the second replica. The first replica, which hears nothing of
// the other's executions, must still answer with the result, long before
// its own worker is free: it reads the shared store at intervals.
func TestE2EReplyFromAnotherReplica(t *testing.T) {
	if testing.Short() || cardflowBin == "" {
		t.Skip("end-to-end test: runs the built binary (not with -short)")
	}
	dbURL := pgtest.Database(t)
	t.Parallel()

	release := make(chan struct{})
	blocker := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{}`))
	}))
	released := false
	releaseOnce := func() {
		if !released {
			released = true
			close(release)
		}
	}
	t.Cleanup(func() { releaseOnce(); blocker.Close() })

	flowDir := filepath.Join(t.TempDir(), "flows")
	if err := os.MkdirAll(flowDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(flowDir, "replies.hcl"), []byte(e2eReplyReplicaFlows), 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{"NO_COLOR=1"}
	for _, k := range []string{"PATH", "HOME", "TMPDIR"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	common := []string{"run", flowDir, "--listen", "127.0.0.1:0", "--store", dbURL, "--watch=false",
		"--var", "endpoint_token=e2e-endpoint-token", "--var", "blocker_url=" + blocker.URL}
	// The first replica's admin surface tells how many executions it runs.
	first := startProcess(t, append(common, "--admin-listen", "127.0.0.1:0", "--workers", "1", "--ack-wait", "0"), env)
	second := startProcess(t, append(common, "--admin-listen", ""), env)
	t.Cleanup(func() {
		first.kill()
		second.kill()
		if t.Failed() {
			t.Logf("--- first replica ---\n%s\n--- second replica ---\n%s", first.out.String(), second.out.String())
		}
	})
	firstAddr, err := first.waitServing(waitFor)
	if err != nil {
		t.Fatalf("first replica: %v", err)
	}
	firstAdmin := first.servingAttr("admin_addr")
	if _, err := second.waitServing(waitFor); err != nil {
		t.Fatalf("second replica: %v", err)
	}
	post := func(flow, body string) replyAnswer {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, "http://"+firstAddr+"/flows/"+flow+"/invoke", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Api-Client-Token", "e2e-endpoint-token")
		start := time.Now()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return replyAnswer{status: resp.StatusCode, header: resp.Header, body: string(b), took: time.Since(start)}
	}
	running := func() int {
		resp, err := http.Get("http://" + firstAdmin + "/api/v1/health")
		if err != nil {
			return -1
		}
		defer resp.Body.Close()
		var h struct{ Running int }
		if json.NewDecoder(resp.Body).Decode(&h) != nil {
			return -1
		}
		return h.Running
	}

	// A replica logs "serving" before its workers start: a hold posted
	// before then is pending, and the second replica runs it. Post holds
	// until the first replica runs one.
	held := false
	for try := 0; try < 10 && !held; try++ {
		if a := post("hold", `{}`); a.status != http.StatusAccepted {
			t.Fatalf("hold: %d %s", a.status, a.body)
		}
		for end := time.Now().Add(2 * time.Second); time.Now().Before(end) && !held; time.Sleep(20 * time.Millisecond) {
			held = running() == 1
		}
	}
	if !held {
		t.Fatal("the first replica's one worker never ran a hold execution")
	}

	a := post("lookup", `{"user":"ada"}`)
	var got map[string]any
	if err := json.Unmarshal([]byte(a.body), &got); err != nil || a.status != http.StatusOK || got["user"] != "ada" || got["found"] != true {
		t.Fatalf("status %d, body %s; want 200 with the result", a.status, a.body)
	}
	// The first replica's worker is still held: the other one ran it.
	if n := running(); n != 1 {
		t.Errorf("the first replica runs %d executions, want the held one only", n)
	}
	if a.took > 5*time.Second {
		t.Errorf("the answer took %s; the shared store is read every 200ms", a.took)
	}
	t.Logf("answered from the other replica in %s", a.took)
	releaseOnce()
}
