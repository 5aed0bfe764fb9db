package cli_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cardflow/cardflow/engine/cli"
	"github.com/cardflow/cardflow/engine/store"
	"github.com/cardflow/cardflow/engine/store/sqlite"
)

// TestReadCommandsNeedAnExistingStore: a typo in --db is an error naming
// the path, and creates no file.
func TestReadCommandsNeedAnExistingStore(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "cardfow.db")
	for _, args := range [][]string{
		{"history", "--db", db},
		{"show", "ex_1", "--db", db},
		{"replay", "ex_1", "--db", db},
		{"history"}, // CARDFLOW_DB
	} {
		res := run(t, []string{"CARDFLOW_DB=" + db}, args...)
		if res.code != cli.ExitUsage || !strings.Contains(res.stderr, "no store at "+db) {
			t.Errorf("%v: want exit 2 naming %s\n%s", args, db, res)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Fatalf("%v created %v", args, entries)
		}
	}
}

// TestRunValidatesBeforeTheStore: invalid flows leave no store and no lock.
func TestRunValidatesBeforeTheStore(t *testing.T) {
	flows := t.TempDir()
	if err := os.WriteFile(filepath.Join(flows, "bad.hcl"), []byte(`flow "x" {
  trigger "schedule.cron" { cron = "@every 1m" }
  card "a" { action = text.compsoe }
}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "X.db")
	res := run(t, nil, "run", flows, "--db", db, "--listen", "127.0.0.1:0", "--watch=false")
	if res.code != cli.ExitFailed || !strings.Contains(res.stderr, "bad.hcl") {
		t.Fatalf("run of invalid flows: want exit 1 with the diagnostics\n%s", res)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("run of invalid flows left %v", entries)
	}
}

// storeWithExecution makes a SQLite store holding one execution with the
// given payload, journaled cards and final status.
func storeWithExecution(t *testing.T, payload string, status store.Status, entries ...store.JournalEntry) (db, id string) {
	t.Helper()
	db = filepath.Join(t.TempDir(), "cardflow.db")
	st, err := sqlite.Open(db, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	enq, err := st.Enqueue(ctx, []store.Event{{Flow: "f", DedupKey: "k", Payload: []byte(payload), ReceivedAt: time.Now()}}, store.EnqueueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	id = enq[0].ID
	if _, err := st.Claim(ctx, "t", 1, time.Minute, store.ClaimOptions{}); err != nil {
		t.Fatal(err)
	}
	for i := range entries {
		entries[i].ExecutionID, entries[i].StartedAt, entries[i].EndedAt = id, time.Now(), time.Now()
		if err := st.Append(ctx, entries[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Finish(ctx, id, status, nil, ""); err != nil {
		t.Fatal(err)
	}
	return db, id
}

// TestShowTriggerAndFull: show prints the trigger value; --full prints
// values whole that text mode cuts.
func TestShowTriggerAndFull(t *testing.T) {
	long := strings.Repeat("x", 400)
	db, id := storeWithExecution(t, `{"record":{"number":"INC0010001"}}`, store.Succeeded,
		store.JournalEntry{Card: "a", Attempt: 1, Status: store.EntryOK, Input: []byte(`{"text":"` + long + `"}`), Output: []byte(`{"text":"` + long + `!"}`)})
	show := run(t, nil, "show", id, "--db", db)
	if show.code != 0 || !strings.Contains(show.stdout, `trigger     {"record":{"number":"INC0010001"}}`) {
		t.Fatalf("show does not print the trigger value:\n%s", show)
	}
	if strings.Contains(show.stdout, long) {
		t.Errorf("show without --full printed a 400-character value whole:\n%s", show)
	}
	full := run(t, nil, "show", id, "--db", db, "--full")
	if full.code != 0 || !strings.Contains(full.stdout, `{"text":"`+long+`"}`) || !strings.Contains(full.stdout, `{"text":"`+long+`!"}`) {
		t.Errorf("show --full does not print the whole input and output:\n%s", full)
	}
}

// TestReplayRefusesWhatDidNotFail: a succeeded execution is replayed only
// with --force, and show marks where the replay began.
func TestReplayRefusesWhatDidNotFail(t *testing.T) {
	db, id := storeWithExecution(t, `{}`, store.Succeeded,
		store.JournalEntry{Card: "read", Attempt: 1, Status: store.EntryOK, Output: []byte(`{}`)},
		store.JournalEntry{Card: "incident", Attempt: 1, Status: store.EntryOK, Output: []byte(`{}`)})
	res := run(t, nil, "replay", id, "--db", db)
	if res.code != cli.ExitFailed || !strings.Contains(res.stderr, "succeeded") || !strings.Contains(res.stderr, "--force") {
		t.Fatalf("replay of a succeeded execution: want exit 1 saying --force\n%s", res)
	}
	if show := run(t, nil, "show", id, "--db", db); strings.Contains(show.stdout, "reset") || !strings.Contains(show.stdout, "succeeded") {
		t.Fatalf("a refused replay changed the execution:\n%s", show)
	}
	if res := run(t, nil, "replay", id, "--db", db, "--force"); res.code != 0 || !strings.Contains(res.stdout, "from card read") {
		t.Fatalf("replay --force: want it queued from the first card\n%s", res)
	}
	show := run(t, nil, "show", id, "--db", db)
	if !strings.Contains(show.stdout, "pending") || !strings.Contains(show.stdout, "── replayed from read at ") {
		t.Errorf("show does not mark where the replay began:\n%s", show)
	}
}
