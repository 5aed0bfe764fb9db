package sqlite

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cardflow/cardflow/engine/store"
)

// TestValuesAreStoredCompressed writes an execution's payload, journal and
// output, reads them back unchanged through the store, and checks that the
// file holds them packed, a fraction of their size.
func TestValuesAreStoredCompressed(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	event := oktaEvent()
	ex, err := enqueueAndClaim(ctx, s, store.Event{Flow: "f", DedupKey: "k", Payload: event}, "w", true)
	if err != nil {
		t.Fatal(err)
	}
	input := []byte(`{"user":"00u1abcdefghijklmnop"}`)
	now := time.Now()
	entry := store.JournalEntry{ExecutionID: ex.ID, Card: "read", Attempt: 1, Status: store.EntryOK,
		Input: input, Output: event, StartedAt: now, EndedAt: now}
	if err := s.Append(ctx, entry); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(entry.Output, event) {
		t.Fatal("Append changed the caller's entry")
	}
	if err := s.Finish(ctx, ex.ID, store.Succeeded, event, ""); err != nil {
		t.Fatal(err)
	}

	got, err := s.Execution(ctx, ex.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Payload, event) || !bytes.Equal(got.Output, event) {
		t.Errorf("Execution: payload or output differ from what was written")
	}
	j, err := s.Journal(ctx, ex.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(j) != 1 || !bytes.Equal(j[0].Input, input) || !bytes.Equal(j[0].Output, event) {
		t.Fatalf("Journal = %+v, want the entry as written", j)
	}

	var payload, output, jin, jout []byte
	row := s.rdb.QueryRowContext(ctx, `SELECT p.payload, e.output, j.input, j.output FROM executions e
		JOIN payloads p ON p.execution_num = e.num JOIN journal j ON j.execution_num = e.num WHERE e.id = ?`, ex.ID)
	if err := row.Scan(&payload, &output, &jin, &jout); err != nil {
		t.Fatal(err)
	}
	for name, v := range map[string][]byte{"payload": payload, "output": output, "journal output": jout} {
		if len(v) == 0 || v[0] != packedMark {
			t.Errorf("%s stored as %.20q, want it packed", name, v)
		}
		if len(v)*3 > len(event) {
			t.Errorf("%s: %d bytes stored for %d, want a third or less", name, len(v), len(event))
		}
	}
	if !bytes.Equal(jin, input) {
		t.Errorf("a small input stored as %q, want it as it is (too small to gain)", jin)
	}
}

// TestUncompressedValuesStillRead reads values as the store wrote them
// before it compressed them: the JSON itself.
func TestUncompressedValuesStillRead(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	res, err := s.Enqueue(ctx, []store.Event{{Flow: "f", DedupKey: "k"}}, store.EnqueueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	id := res[0].ID
	event := oktaEvent()
	err = s.w.do(ctx, func(tx *writeTx) error {
		if _, err := tx.conn.ExecContext(ctx, `INSERT INTO payloads (execution_num, payload) SELECT num, ? FROM executions WHERE id = ?`, event, id); err != nil {
			return err
		}
		_, err := tx.conn.ExecContext(ctx, `INSERT INTO journal (execution_num, seq, card, attempt, status, input, output)
			SELECT num, 1, 'c', 1, 'ok', ?, ? FROM executions WHERE id = ?`, event, event, id)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Execution(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	j, err := s.Journal(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Payload, event) || len(j) != 1 || !bytes.Equal(j[0].Input, event) || !bytes.Equal(j[0].Output, event) {
		t.Fatalf("values written uncompressed did not read back as written")
	}
}

// TestValueLikePackedRoundTrips stores a value that starts with the packed
// mark but is not packed: it must read back as it was, not be taken for a
// packed value; and a broken packed value is an error.
func TestValueLikePackedRoundTrips(t *testing.T) {
	for _, v := range [][]byte{{packedMark}, {packedMark, 'x'}, append([]byte{packedMark}, bytes.Repeat([]byte("y"), 100)...)} {
		got, err := unpack(pack(v))
		if err != nil || !bytes.Equal(got, v) {
			t.Errorf("unpack(pack(%q)) = %q, %v", v, got, err)
		}
	}
	for _, v := range [][]byte{{packedMark}, {packedMark, blobDictID, 0xff, 0xff}, {packedMark, 99, 0}} {
		if _, err := unpack(v); err == nil {
			t.Errorf("unpack(%q): no error", v)
		}
	}
}

// BenchmarkPack measures compressing and decompressing an Okta event.
func BenchmarkPack(b *testing.B) {
	event := oktaEvent()
	b.Run("pack", func(b *testing.B) {
		b.SetBytes(int64(len(event)))
		for b.Loop() {
			pack(event)
		}
	})
	packed := pack(event)
	b.Run("unpack", func(b *testing.B) {
		b.SetBytes(int64(len(event)))
		for b.Loop() {
			if _, err := unpack(packed); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.ReportMetric(float64(len(packed))/float64(len(event)), "ratio")
}

// TestInputSameAsOutputStoredOnce journals an entry whose input is its
// output (text.compose's): the output is stored once, and both read back.
func TestInputSameAsOutputStoredOnce(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	ex, err := enqueueAndClaim(ctx, s, store.Event{Flow: "f", DedupKey: "k"}, "w", true)
	if err != nil {
		t.Fatal(err)
	}
	text := []byte(`{"text":"A new Okta account needs approval before access is granted.\nName: Jane Doe\n"}`)
	now := time.Now()
	err = s.Append(ctx, store.JournalEntry{ExecutionID: ex.ID, Card: "description", Attempt: 1, Status: store.EntryOK,
		Input: text, Output: bytes.Clone(text), StartedAt: now, EndedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	j, err := s.Journal(ctx, ex.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(j) != 1 || !bytes.Equal(j[0].Input, text) || !bytes.Equal(j[0].Output, text) {
		t.Fatalf("Journal = %+v, want the entry as written", j)
	}
	var in []byte
	if err := s.rdb.QueryRowContext(ctx, `SELECT input FROM journal WHERE execution_num = (SELECT num FROM executions WHERE id = ?)`, ex.ID).Scan(&in); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(in, sameAsOutput) {
		t.Errorf("input stored as %q, want the same-as-output mark", in)
	}
}

// TestInputPackedWithOutput journals an entry whose output repeats its
// input (a created record holding the fields it was created with): input
// and output are packed in one block, smaller than each packed alone, and
// both read back as written. A broken joint value is an error.
func TestInputPackedWithOutput(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	ex, err := enqueueAndClaim(ctx, s, store.Event{Flow: "f", DedupKey: "k"}, "w", true)
	if err != nil {
		t.Fatal(err)
	}
	desc := "A new Okta account needs approval before access is granted.\nName: Jane Doe\nLogin: jane.doe@acme.example\n" +
		"Department: Engineering\nManager: Ola Nordmann\n\nResolve this incident to approve."
	input := []byte(`{"fields":{"category":"inquiry","description":` + strconv.Quote(desc) +
		`,"short_description":"Approve access for jane.doe@acme.example"},"table":"incident"}`)
	output := []byte(`{"created":true,"number":"INC0010001","record":{"active":"true","category":"inquiry","description":` +
		strconv.Quote(desc) + `,"number":"INC0010001","short_description":"Approve access for jane.doe@acme.example",` +
		`"sys_id":"c2fb2f823667a8de27f4addc992e46a1"},"sys_id":"c2fb2f823667a8de27f4addc992e46a1","table":"incident"}`)
	now := time.Now()
	entry := store.JournalEntry{ExecutionID: ex.ID, Card: "incident", Attempt: 1, Status: store.EntryOK,
		Input: input, Output: output, StartedAt: now, EndedAt: now}
	if err := s.Append(ctx, entry); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(entry.Input, input) || !bytes.Equal(entry.Output, output) {
		t.Fatal("Append changed the caller's entry")
	}
	j, err := s.Journal(ctx, ex.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(j) != 1 || !bytes.Equal(j[0].Input, input) || !bytes.Equal(j[0].Output, output) {
		t.Fatalf("Journal = %+v, want the entry as written", j)
	}
	var in, out []byte
	if err := s.rdb.QueryRowContext(ctx, `SELECT input, output FROM journal`).Scan(&in, &out); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(in, jointInput) {
		t.Errorf("input stored as %.20q, want the packed-with-output mark", in)
	}
	if alone := len(pack(input)) + len(pack(output)); len(out) >= alone*3/4 {
		t.Errorf("input and output stored in %d bytes, want well under the %d they take packed apart", len(out), alone)
	}

	for _, v := range [][]byte{out[:2], out[:len(out)-3], {packedMark, jointID, 0xff}, {packedMark, jointID, 99, 0}} {
		if _, _, err := unpackEntry(jointInput, v); err == nil {
			t.Errorf("unpackEntry of a broken joint value %q: no error", v)
		}
	}
}

// TestTableRowsStoredCompressed writes flow-table rows with TablePut and
// with a journal entry: both are stored packed, read back as written by
// TableGet and TableScan, and a row too small to gain stays as it is.
func TestTableRowsStoredCompressed(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	row := func(n int) []byte {
		return []byte(fmt.Sprintf(`{"incident":"INC%07d","login":"jane.doe%d@acme.example","status":"pending",`+
			`"sys_id":"c2fb2f823667a8de27f4addc992e46a1","user_id":"00u1abcdefghijk%05d"}`, n, n, n))
	}
	if err := s.TablePut(ctx, "approvals", "a", row(1)); err != nil {
		t.Fatal(err)
	}
	if err := s.TablePut(ctx, "approvals", "c", []byte(`{"small":1}`)); err != nil {
		t.Fatal(err)
	}
	ex, err := enqueueAndClaim(ctx, s, store.Event{Flow: "f", DedupKey: "k"}, "w", true)
	if err != nil {
		t.Fatal(err)
	}
	entry := store.JournalEntry{ExecutionID: ex.ID, Card: "remember", Attempt: 1, Status: store.EntryOK,
		Tables: []store.TableWrite{{Table: "approvals", Key: "b", Row: row(2)}}}
	if err := s.Append(ctx, entry); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(entry.Tables[0].Row, row(2)) {
		t.Fatal("Append changed the caller's table write")
	}
	want := map[string][]byte{"a": row(1), "b": row(2), "c": []byte(`{"small":1}`)}
	for k, v := range want {
		got, err := s.TableGet(ctx, "approvals", k)
		if err != nil || !bytes.Equal(got, v) {
			t.Errorf("TableGet(%s) = %q, %v, want %q", k, got, err, v)
		}
		var stored []byte
		if err := s.rdb.QueryRowContext(ctx, `SELECT row FROM table_rows WHERE tbl = 'approvals' AND key = ?`, k).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if packed := len(stored) > 0 && stored[0] == packedMark; packed != (k != "c") {
			t.Errorf("row %s stored as %.20q: packed %v, want %v", k, stored, packed, k != "c")
		}
	}
	var scanned []string
	err = s.TableScan(ctx, "approvals", func(key string, r []byte) bool {
		if !bytes.Equal(r, want[key]) {
			t.Errorf("TableScan row %s = %q, want %q", key, r, want[key])
		}
		scanned = append(scanned, key)
		return true
	})
	if err != nil || strings.Join(scanned, " ") != "a b c" {
		t.Errorf("TableScan = %v, %v, want a b c", scanned, err)
	}
	if _, err := s.TableGet(ctx, "approvals", "zz"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("TableGet of a missing row: %v, want ErrNotFound", err)
	}
}
