package cli_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cardflow/cardflow/engine"
	"github.com/cardflow/cardflow/engine/store"
	"github.com/cardflow/cardflow/engine/store/sqlite"
)

const replayFlow = `
flow "sync_badge" {
  trigger "http.endpoint" {
    token = env("ENDPOINT_TOKEN")
  }
  card "lookup" {
    action = http.request
    url    = "${env("API")}/lookup"
  }
  card "push" {
    action = http.request
    method = "POST"
    url    = "${env("API")}/push"
    body   = { badge = card.lookup.body.badge }
  }
  card "done" {
    action = text.compose
    text   = "pushed ${card.lookup.body.badge}"
  }
}
`

// runEngine runs an engine over db until the execution reaches a final
// status, and returns it.
func runEngine(t *testing.T, db, dir string, env map[string]string, invoke bool) *store.Execution {
	t.Helper()
	eng, st, ctx, stop := startEngine(t, db, dir, env)
	defer stop()
	if invoke {
		srv := httptest.NewServer(eng.Handler())
		defer srv.Close()
		req, _ := http.NewRequest("POST", srv.URL+"/flows/sync_badge/invoke", strings.NewReader(`{}`))
		req.Header.Set("x-api-client-token", env["ENDPOINT_TOKEN"])
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusAccepted {
			t.Fatalf("invoke: HTTP %d", resp.StatusCode)
		}
	}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		exs, err := st.Executions(ctx, store.Filter{Flow: "sync_badge"})
		if err != nil {
			t.Fatal(err)
		}
		if len(exs) == 1 && exs[0].Status.Final() {
			return exs[0]
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("the execution did not finish")
	return nil
}

// TestReplayFromTheFailedCard fails an execution on a permanent error,
// replays it with the CLI, and checks that the card before the failure
// kept its output and was not called again.
func TestReplayFromTheFailedCard(t *testing.T) {
	var lookups, pushes atomic.Int32
	var broken atomic.Bool
	broken.Store(true)
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/lookup":
			lookups.Add(1)
			_, _ = w.Write([]byte(`{"badge": "B-42"}`))
		case "/push":
			pushes.Add(1)
			if broken.Load() {
				w.WriteHeader(http.StatusBadRequest)
				_, _ = w.Write([]byte(`{"error": "badge system rejects"}`))
				return
			}
			_, _ = w.Write([]byte(`{"ok": true}`))
		}
	}))
	defer api.Close()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "flow.hcl"), []byte(replayFlow), 0o644); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(t.TempDir(), "cardflow.db")
	env := map[string]string{"API": api.URL, "ENDPOINT_TOKEN": "tok"}

	ex := runEngine(t, db, dir, env, true)
	if ex.Status != store.Failed || !strings.Contains(ex.Error, "card push") {
		t.Fatalf("want the execution failed at push, got %s: %s", ex.Status, ex.Error)
	}
	if lookups.Load() != 1 || pushes.Load() != 1 {
		t.Fatalf("a permanent error must not be retried: lookups %d pushes %d", lookups.Load(), pushes.Load())
	}

	res := run(t, nil, "replay", ex.ID, "--db", db)
	if res.code != 0 || !strings.Contains(res.stdout, "from card push") {
		t.Fatalf("replay:\n%s", res)
	}
	if res := run(t, nil, "replay", ex.ID, "--db", db); res.code != 1 {
		t.Errorf("replaying a pending execution must be refused:\n%s", res)
	}

	broken.Store(false)
	ex = runEngine(t, db, dir, env, false)
	if ex.Status != store.Succeeded {
		t.Fatalf("the replay did not succeed: %s %s", ex.Status, ex.Error)
	}
	if lookups.Load() != 1 {
		t.Errorf("lookup ran %d times: the replay must keep its journaled output", lookups.Load())
	}
	if pushes.Load() != 2 {
		t.Errorf("push ran %d times, want 2 (the failure and the replay)", pushes.Load())
	}
	show := run(t, nil, "show", ex.ID, "--db", db)
	for _, want := range []string{"push", "reset", "pushed B-42"} {
		if !strings.Contains(show.stdout, want) {
			t.Errorf("show lacks %q:\n%s", want, show.stdout)
		}
	}
}

func TestReplayFromCardMustHaveRun(t *testing.T) {
	db := filepath.Join(t.TempDir(), "cardflow.db")
	id := oneSucceededExecution(t, db)
	if res := run(t, nil, "replay", id, "--db", db, "--force", "--from-card", "zzz"); res.code != 1 || !strings.Contains(res.stderr, "did not run") {
		t.Errorf("--from-card of a card that did not run: want exit 1\n%s", res)
	}
	if res := run(t, []string{"USER=dana"}, "replay", id, "--db", db, "--force", "--from-card", "a"); res.code != 0 {
		t.Errorf("--from-card a:\n%s", res)
	}
	// Both are in the store's audit log, the refusal with its reason.
	st, err := sqlite.Open(db, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	log, err := (&engine.ConsoleSource{Store: st}).AuditLog(t.Context(), "", 10)
	if err != nil || len(log) != 2 {
		t.Fatalf("audit log: %+v, %v; want the two replays", log, err)
	}
	if e := log[0]; e.Who != "dana" || e.Action != "replay" || e.Target != id || e.Detail != "a (forced)" || e.Outcome != "ok" || e.Remote != "cli" {
		t.Errorf("the accepted replay's audit entry: %+v", e)
	}
	if e := log[1]; e.Detail != "zzz (forced)" || !strings.HasPrefix(e.Outcome, "refused: ") || !strings.Contains(e.Outcome, "did not run") {
		t.Errorf("the refused replay's audit entry: %+v", e)
	}
}

// TestReplayHintReadsTheSameStore: the `cardflow show` replay suggests
// carries the store flags given to replay, quoted for the shell, so that
// pasting it reads the same store; a store from CARDFLOW_DB is not
// repeated, as the environment carries over.
func TestReplayHintReadsTheSameStore(t *testing.T) {
	hint := regexp.MustCompile("follow it with `([^`]*)`")
	for _, tt := range []struct {
		name    string
		environ func(db string) []string
		args    func(db string) []string
		want    func(id, db string) string
	}{
		{"--db", func(string) []string { return nil }, func(db string) []string { return []string{"--db", db} },
			func(id, db string) string {
				return "cardflow show " + id + ` --db '` + strings.ReplaceAll(db, "'", `'\''`) + `'`
			}},
		{"CARDFLOW_DB", func(db string) []string { return []string{"CARDFLOW_DB=" + db} }, func(string) []string { return nil },
			func(id, _ string) string { return "cardflow show " + id }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "it's a store", "w.db")
			if err := os.MkdirAll(filepath.Dir(db), 0o755); err != nil {
				t.Fatal(err)
			}
			id := oneSucceededExecution(t, db)
			environ, want := tt.environ(db), tt.want(id, db)
			res := run(t, environ, append([]string{"replay", id, "--force"}, tt.args(db)...)...)
			m := hint.FindStringSubmatch(res.stdout)
			if res.code != 0 || m == nil {
				t.Fatalf("replay: want exit 0 and a show command\n%s", res)
			}
			if m[1] != want {
				t.Fatalf("hint %q, want %q", m[1], want)
			}
			// The hint as a shell reads it, run.
			words, err := exec.Command("bash", "-c", `printf '%s\0' `+m[1]).Output()
			if err != nil {
				t.Fatal(err)
			}
			args := strings.Split(strings.TrimSuffix(string(words), "\x00"), "\x00")[1:]
			if show := run(t, environ, args...); show.code != 0 || !strings.Contains(show.stdout, id) {
				t.Errorf("the hint %v does not show the execution:\n%s", args, show)
			}
		})
	}
}

// oneSucceededExecution makes the store db with one succeeded execution
// whose journal has one card, a, and returns its ID.
func oneSucceededExecution(t *testing.T, db string) string {
	t.Helper()
	st, err := sqlite.Open(db, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	enq, err := st.Enqueue(ctx, []store.Event{{Flow: "f", DedupKey: "k", ReceivedAt: time.Now()}}, store.EnqueueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	id := enq[0].ID
	if _, err := st.Claim(ctx, "t", 1, time.Minute, store.ClaimOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := st.Append(ctx, store.JournalEntry{ExecutionID: id, Card: "a", Attempt: 1, Status: store.EntryOK, StartedAt: time.Now(), EndedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if err := st.Finish(ctx, id, store.Succeeded, nil, ""); err != nil {
		t.Fatal(err)
	}
	st.Close()
	return id
}
