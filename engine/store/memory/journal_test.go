package memory

import (
	"testing"
	"time"

	"github.com/cardflow/cardflow/engine/store"
	"github.com/google/go-cmp/cmp"
)

func TestJournalEncoding(t *testing.T) {
	paris := time.FixedZone("CET", 3600)
	in := []store.JournalEntry{
		{Card: "open_ticket", Attempt: 1, Status: store.EntryOK, Input: []byte(`{"short_description":"Approve ada"}`),
			Output: []byte(`{"sys_id":"x"}`), StartedAt: time.Date(2026, 11, 29, 4, 0, 0, 123456789, paris),
			EndedAt: time.Date(2026, 11, 29, 4, 0, 1, 0, time.UTC),
			Tables:  []store.TableWrite{{Table: "t", Key: "k", Row: []byte(`{}`)}}},
		{Card: "add_groups", Key: "Employees", Attempt: 3, Status: store.EntryError, Input: []byte{},
			Error: "okta.add_to_group: 429 Too Many Requests", ErrorKind: "rate_limited"},
		{Card: "skip", Status: store.EntrySkipped, StartedAt: time.Unix(-1, 5)},
	}
	var j journal
	for i := range in {
		j.append(&in[i])
	}
	got, err := j.entries("ex_1")
	if err != nil {
		t.Fatal(err)
	}
	want := make([]store.JournalEntry, len(in))
	for i, en := range in {
		en.ExecutionID, en.Seq, en.Tables = "ex_1", i+1, nil
		en.StartedAt, en.EndedAt = en.StartedAt.UTC(), en.EndedAt.UTC()
		want[i] = en
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("decoded journal (-want +got):\n%s", diff)
	}
	if got[1].Input == nil || got[2].Input != nil {
		t.Error("an empty input and a nil one do not come back as they went in")
	}
	// What entries returns is the caller's to change.
	got[0].Input[0] = 'X'
	again, _ := j.entries("ex_1")
	if again[0].Input[0] != '{' {
		t.Error("entries returned the journal's own bytes")
	}
}

func TestJournalCorrupt(t *testing.T) {
	var j journal
	j.append(&store.JournalEntry{Card: "a", Input: []byte(`{}`)})
	j.buf = j.buf[:len(j.buf)-3]
	if _, err := j.entries("ex_1"); err != errCorrupt {
		t.Fatalf("entries of a truncated journal: err = %v, want errCorrupt", err)
	}
}
