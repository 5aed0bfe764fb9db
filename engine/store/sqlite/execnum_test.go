package sqlite

import (
	"bytes"
	"context"
	"encoding/hex"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/cardflow/cardflow/engine/store"
)

// TestExecutionNumMigration upgrades a database that names executions by
// id in its journal, payloads and terms (through migration 0008): an old
// ended execution with a journal (one entry packed, one as JSON), a
// payload and indexed terms, a pending one whose terms wait for the
// indexer, and an execution claimed before the upgrade. After it, history
// finds each by its terms, shows journals and payloads as they were
// written, resumes the claimed one where it stopped, and Prune deletes the
// old one with all that is its own; new executions get later numbers.
func TestExecutionNumMigration(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "m.db")
	old := time.Now().Add(-48 * time.Hour)
	ended := itoa(old.UnixNano())
	idOld, idPending, idRunning := store.IDAt(old), store.IDAt(time.Now().Add(-time.Minute)), store.IDAt(time.Now())
	event := oktaEvent()
	packed := "X'" + hex.EncodeToString(pack(event)) + "'"
	databaseAt(t, path, 7, // through 0008_terms_pending
		`INSERT INTO executions (id, flow, dedup_key, status, received_at, ended_at, output, terms)
			VALUES ('`+idOld+`', 'f', 'd1', 'succeeded', 1, `+ended+`, '{"done":true}', '00u1`+"\n"+`jane.doe@example.com')`,
		`INSERT INTO executions (id, flow, dedup_key, status, received_at, terms) VALUES ('`+idPending+`', 'f', 'd2', 'pending', 2, 'inc0010002')`,
		`INSERT INTO executions (id, flow, dedup_key, status, received_at, owner, lease_until, claims, started_at, definition_hash)
			VALUES ('`+idRunning+`', 'f', 'd3', 'running', 3, 'dead', 1, 1, 3, 'h')`,
		`INSERT INTO payloads (execution_id, payload) VALUES ('`+idOld+`', `+packed+`)`,
		`INSERT INTO payloads (execution_id, payload) VALUES ('`+idPending+`', '{"p":2}')`,
		`INSERT INTO journal (execution_id, seq, card, attempt, status, input, output, started_at, ended_at)
			VALUES ('`+idOld+`', 1, 'read', 1, 'ok', '{"user":"00u1"}', `+packed+`, 1, 2)`,
		`INSERT INTO journal (execution_id, seq, card, attempt, status, input, output, started_at, ended_at)
			VALUES ('`+idOld+`', 2, 'note', 1, 'ok', X'ff00', '{"text":"hi"}', 2, 3)`,
		`INSERT INTO journal (execution_id, seq, card, attempt, status, input, output, started_at, ended_at)
			VALUES ('`+idRunning+`', 1, 'read', 1, 'ok', '{"user":"00u3"}', '{"id":"00u3"}', 3, 4)`,
		`INSERT INTO execution_terms (term, execution_id) VALUES ('00u1', '`+idOld+`'), ('jane.doe@example.com', '`+idOld+`')`,
		`INSERT INTO terms_pending (execution_id) VALUES ('`+idPending+`')`,
	)
	defer func(old time.Duration) { termIndexEvery = old }(termIndexEvery)
	termIndexEvery = time.Hour // the pending execution stays pending
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	found := func(text string) []string {
		t.Helper()
		return foundIDs(t, s, store.Filter{Text: text})
	}
	if got := found("jane"); !slices.Equal(got, []string{idOld}) {
		t.Errorf("search jane (indexed) = %v, want [%s]", got, idOld)
	}
	if got := found("inc001"); !slices.Equal(got, []string{idPending}) {
		t.Errorf("search inc001 (pending) = %v, want [%s]", got, idPending)
	}
	ex, err := s.Execution(ctx, idOld)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ex.Payload, event) || string(ex.Output) != `{"done":true}` || !slices.Equal(ex.Terms, []string{"00u1", "jane.doe@example.com"}) {
		t.Errorf("Execution(old) = payload %.30q, output %q, terms %q: not as written", ex.Payload, ex.Output, ex.Terms)
	}
	j, err := s.Journal(ctx, idOld)
	if err != nil {
		t.Fatal(err)
	}
	if len(j) != 2 || j[0].ExecutionID != idOld || j[0].Seq != 1 || !bytes.Equal(j[0].Output, event) ||
		j[1].Seq != 2 || string(j[1].Input) != `{"text":"hi"}` || string(j[1].Output) != `{"text":"hi"}` {
		t.Errorf("Journal(old) = %+v, want its two entries as written", j)
	}

	// The claimed execution's lease has ended: claimed again, it resumes
	// after its journal's last entry.
	claimed, err := s.Claim(ctx, "w", 10, time.Minute, store.ClaimOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range claimed {
		ids = append(ids, e.ID)
	}
	if !slices.Equal(ids, []string{idPending, idRunning}) {
		t.Fatalf("Claim = %v, want [%s %s]", ids, idPending, idRunning)
	}
	if string(claimed[0].Payload) != `{"p":2}` {
		t.Errorf("claimed payload = %q, want as written", claimed[0].Payload)
	}
	now := time.Now()
	err = s.Finish(ctx, idRunning, store.Succeeded, nil, "", store.JournalEntry{ExecutionID: idRunning, Card: "note",
		Attempt: 1, Status: store.EntryOK, Input: []byte(`{}`), Output: []byte(`{}`), StartedAt: now, EndedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	if j, err := s.Journal(ctx, idRunning); err != nil || len(j) != 2 || j[1].Seq != 2 || j[1].Card != "note" {
		t.Errorf("Journal(resumed) = %+v, %v, want its old entry and the new one as seq 2", j, err)
	}

	// New executions come after the migrated ones.
	res, err := s.Enqueue(ctx, []store.Event{{Flow: "f", DedupKey: "d4", Terms: []string{"zed"}, Payload: []byte(`{"p":4}`)}}, store.EnqueueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var nums []string
	rows, err := s.rdb.QueryContext(ctx, `SELECT id FROM executions ORDER BY num`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		nums = append(nums, id)
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	if want := []string{idOld, idPending, idRunning, res[0].ID}; !slices.Equal(nums, want) {
		t.Errorf("executions by number = %v, want %v", nums, want)
	}
	if got := found("zed"); !slices.Equal(got, []string{res[0].ID}) {
		t.Errorf("search zed (new) = %v, want [%s]", got, res[0].ID)
	}

	n, err := s.Prune(ctx, store.Prune{Before: time.Now().Add(-time.Hour)})
	if err != nil || n != 1 {
		t.Fatalf("Prune = %d, %v, want 1", n, err)
	}
	if got := found("jane"); len(got) != 0 {
		t.Errorf("search jane after prune = %v, want none", got)
	}
	if _, err := s.Journal(ctx, idOld); err == nil {
		t.Errorf("Journal(pruned): no error")
	}
	var journal, payloads, terms, tables int
	err = s.rdb.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM journal), (SELECT COUNT(*) FROM payloads),
		(SELECT COUNT(*) FROM execution_terms), (SELECT COUNT(*) FROM sqlite_schema WHERE name LIKE '%_000%')`).
		Scan(&journal, &payloads, &terms, &tables)
	if err != nil {
		t.Fatal(err)
	}
	if journal != 2 || payloads != 2 || terms != 0 || tables != 0 {
		t.Errorf("after prune: %d journal rows (want 2), %d payloads (want 2), %d indexed terms (want 0), %d tables left by the migration (want 0)",
			journal, payloads, terms, tables)
	}
}
