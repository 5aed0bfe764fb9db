package cli_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cardflow/cardflow/engine/store"
	"github.com/cardflow/cardflow/engine/store/sqlite"
)

// TestPrune runs cardflow prune on a SQLite store holding one execution of
// each kind: only what ended before --older-than goes, failed ones only
// with --include-failed, pending ones never; --dry-run deletes nothing.
func TestPrune(t *testing.T) {
	db := filepath.Join(t.TempDir(), "cardflow.db")
	st, err := sqlite.Open(db, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ids := map[store.Status]string{}
	for _, status := range []store.Status{store.Succeeded, store.Failed, store.Pending} {
		res, err := st.Enqueue(ctx, []store.Event{{Flow: "f", DedupKey: string(status), Type: "t", Payload: []byte(`{}`), ReceivedAt: time.Now()}}, store.EnqueueOptions{})
		if err != nil {
			t.Fatal(err)
		}
		ids[status] = res[0].ID
		if status.Final() {
			if err := st.Finish(ctx, res[0].ID, status, nil, ""); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond) // so that they ended more than 10ms ago

	exists := func(status store.Status) bool {
		t.Helper()
		st, err := sqlite.Open(db, sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		_, err = st.Execution(ctx, ids[status])
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			t.Fatal(err)
		}
		return err == nil
	}
	steps := []struct {
		args []string
		out  string
		left []store.Status
	}{
		{[]string{"--older-than", "1h"}, "deleted 0 finished executions", []store.Status{store.Succeeded, store.Failed, store.Pending}},
		{[]string{"--older-than", "10ms", "--dry-run"}, "would delete 1 finished executions", []store.Status{store.Succeeded, store.Failed, store.Pending}},
		{[]string{"--older-than", "10ms"}, "deleted 1 finished executions", []store.Status{store.Failed, store.Pending}},
		{[]string{"--older-than", "10ms", "--include-failed", "--dry-run"}, "would delete 1 finished or failed executions", []store.Status{store.Failed, store.Pending}},
		{[]string{"--older-than", "10ms", "--include-failed"}, "deleted 1 finished or failed executions", []store.Status{store.Pending}},
	}
	for _, s := range steps {
		res := run(t, nil, append([]string{"prune", "--db", db}, s.args...)...)
		if res.code != 0 || !strings.Contains(res.stdout, s.out) {
			t.Fatalf("prune %v: want %q\n%s", s.args, s.out, res)
		}
		for _, status := range []store.Status{store.Succeeded, store.Failed, store.Pending} {
			want := false
			for _, l := range s.left {
				want = want || l == status
			}
			if got := exists(status); got != want {
				t.Errorf("after prune %v the %s execution exists: %v, want %v", s.args, status, got, want)
			}
		}
	}
	for _, args := range [][]string{{}, {"--older-than", "30x"}, {"--older-than", "0"}} {
		if res := run(t, nil, append([]string{"prune", "--db", db}, args...)...); res.code != 2 {
			t.Errorf("prune %v: want exit 2\n%s", args, res)
		}
	}
}
