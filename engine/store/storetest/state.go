package storetest

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cardflow/cardflow/engine/store"
)

var stateTests = []test{
	{"Definitions", testDefinitions},
	{"Cursors", testCursors},
	{"Tables", testTables},
	{"TableScanStops", testTableScanStops},
	{"Leases", testLeases},
	{"LeaseExpires", testLeaseExpires},
	{"Close", testClose},
}

func testDefinitions(t *testing.T, s store.Store) {
	_, err := s.Definition(ctx(t), "sha256:none")
	wantErrIs(t, "Definition(unknown)", err, store.ErrNotFound)
	src := []byte("flow \"a\" {\n  card \"x\" {}\n}\n")
	for range 2 { // storing the same hash twice is fine
		if err := s.PutDefinition(ctx(t), "sha256:a", src); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Definition(ctx(t), "sha256:a")
	if err != nil || string(got) != string(src) {
		t.Errorf("Definition = %q, %v, want %q", got, err, src)
	}
}

func testCursors(t *testing.T, s store.Store) {
	if c, err := s.Cursor(ctx(t), "okta:syslog"); err != nil || c != nil {
		t.Errorf("unset Cursor = %q, %v, want nil, nil", c, err)
	}
	for _, v := range []string{"2026-11-28T10:00:00.000Z", "2026-11-28T10:01:00.000Z"} {
		if err := s.SetCursor(ctx(t), "okta:syslog", []byte(v)); err != nil {
			t.Fatal(err)
		}
		if c, err := s.Cursor(ctx(t), "okta:syslog"); err != nil || string(c) != v {
			t.Errorf("Cursor = %q, %v, want %q", c, err, v)
		}
	}
	if c, _ := s.Cursor(ctx(t), "other"); c != nil {
		t.Errorf("Cursor of another key = %q, want nil", c)
	}
}

func testTables(t *testing.T, s store.Store) {
	_, err := s.TableGet(ctx(t), "approvals", "00u1")
	wantErrIs(t, "TableGet(missing)", err, store.ErrNotFound)
	put := func(table, key, row string) {
		t.Helper()
		if err := s.TablePut(ctx(t), table, key, []byte(row)); err != nil {
			t.Fatal(err)
		}
	}
	put("approvals", "00u2", `{"incident":"INC2"}`)
	put("approvals", "00u1", `{"incident":"INC1"}`)
	put("approvals", "00u10", `{"incident":"INC10"}`)
	put("approvals", "00u1", `{"incident":"INC1","done":true}`) // overwrite
	put("other", "00u1", `{"other":true}`)

	got, err := s.TableGet(ctx(t), "approvals", "00u1")
	if err != nil || string(got) != `{"incident":"INC1","done":true}` {
		t.Errorf("TableGet after overwrite = %s, %v", got, err)
	}
	want := []string{
		`00u1={"incident":"INC1","done":true}`,
		`00u10={"incident":"INC10"}`,
		`00u2={"incident":"INC2"}`,
	}
	if diff := cmp.Diff(want, scan(t, s, "approvals")); diff != "" {
		t.Errorf("TableScan in key order (-want +got):\n%s", diff)
	}

	if ok, err := s.TableDelete(ctx(t), "approvals", "00u1"); err != nil || !ok {
		t.Errorf("TableDelete(existing) = %v, %v, want true", ok, err)
	}
	if ok, err := s.TableDelete(ctx(t), "approvals", "00u1"); err != nil || ok {
		t.Errorf("TableDelete(deleted) = %v, %v, want false", ok, err)
	}
	_, err = s.TableGet(ctx(t), "approvals", "00u1")
	wantErrIs(t, "TableGet(deleted)", err, store.ErrNotFound)
	if got, err := s.TableGet(ctx(t), "other", "00u1"); err != nil || string(got) != `{"other":true}` {
		t.Errorf("a row with the same key in another table = %s, %v; tables are separate", got, err)
	}
	if got := scan(t, s, "empty"); len(got) != 0 {
		t.Errorf("TableScan of an unknown table = %v", got)
	}
}

func scan(t *testing.T, s store.Store, table string) []string {
	t.Helper()
	var rows []string
	err := s.TableScan(ctx(t), table, func(key string, row []byte) bool {
		rows = append(rows, key+"="+string(row))
		return true
	})
	if err != nil {
		t.Fatalf("TableScan(%s): %v", table, err)
	}
	return rows
}

func testTableScanStops(t *testing.T, s store.Store) {
	for _, k := range []string{"c", "a", "b", "d"} {
		if err := s.TablePut(ctx(t), "t", k, []byte(k)); err != nil {
			t.Fatal(err)
		}
	}
	var keys []string
	err := s.TableScan(ctx(t), "t", func(key string, _ []byte) bool {
		keys = append(keys, key)
		return key != "b"
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"a", "b"}, keys); diff != "" {
		t.Errorf("keys scanned until fn returned false (-want +got):\n%s", diff)
	}
}

func testLeases(t *testing.T, s store.Store) {
	acquire := func(owner string, want bool) {
		t.Helper()
		got, err := s.AcquireLease(ctx(t), "poller:snow", owner, time.Minute)
		if err != nil {
			t.Fatalf("AcquireLease(%s): %v", owner, err)
		}
		if got != want {
			t.Errorf("AcquireLease(%s) = %v, want %v", owner, got, want)
		}
	}
	acquire("a", true)
	acquire("a", true) // renewal by the holder
	acquire("b", false)
	if ok, err := s.AcquireLease(ctx(t), "poller:okta", "b", time.Minute); err != nil || !ok {
		t.Errorf("AcquireLease of another name = %v, %v, want true", ok, err)
	}
	if err := s.ReleaseLease(ctx(t), "poller:snow", "b"); err != nil {
		t.Fatalf("ReleaseLease by a non-holder: %v", err)
	}
	acquire("b", false) // b's release did not free a's lease
	if err := s.ReleaseLease(ctx(t), "poller:snow", "a"); err != nil {
		t.Fatal(err)
	}
	acquire("b", true)
	acquire("a", false)
}

func testLeaseExpires(t *testing.T, s store.Store) {
	if ok, err := s.AcquireLease(ctx(t), "l", "a", shortLease); err != nil || !ok {
		t.Fatalf("AcquireLease = %v, %v", ok, err)
	}
	// Renewing extends the lease: after the first term it is still held.
	time.Sleep(shortLease / 2)
	if ok, _ := s.AcquireLease(ctx(t), "l", "a", 4*shortLease); !ok {
		t.Fatal("holder could not renew")
	}
	time.Sleep(shortLease)
	if ok, _ := s.AcquireLease(ctx(t), "l", "b", time.Minute); ok {
		t.Error("b took a renewed lease before it expired")
	}
	time.Sleep(4 * shortLease)
	if ok, err := s.AcquireLease(ctx(t), "l", "b", time.Minute); err != nil || !ok {
		t.Errorf("AcquireLease after expiry = %v, %v, want true", ok, err)
	}
}

func testClose(t *testing.T, s store.Store) {
	mustEnqueue(t, s, event("a", "k"))
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := s.Enqueue(ctx(t), []store.Event{event("a", "k2")}, store.EnqueueOptions{}); err == nil {
		t.Error("Enqueue after Close succeeded")
	}
	if _, err := s.Depth(ctx(t)); err == nil {
		t.Error("Depth after Close succeeded")
	}
}
