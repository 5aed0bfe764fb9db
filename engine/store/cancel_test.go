package store

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestCanceledWaits: only a canceled execution's waits that no later entry
// of the same card instance followed (and no replay discarded) were cut
// short by the cancel.
func TestCanceledWaits(t *testing.T) {
	e := func(card, key string, s EntryStatus) JournalEntry {
		return JournalEntry{Card: card, Key: key, Status: s}
	}
	for _, tt := range []struct {
		name    string
		status  Status
		journal []JournalEntry
		want    map[int]bool
	}{
		{"canceled in a flow.wait", Canceled, []JournalEntry{e("a", "", EntryOK), e("pause", "", EntryWaiting)}, map[int]bool{1: true}},
		{"canceled in a backoff", Canceled, []JournalEntry{e("call", "", EntryError), e("call", "", EntryWaiting)}, map[int]bool{1: true}},
		{"a wait it woke from", Canceled, []JournalEntry{e("pause", "", EntryWaiting), e("pause", "", EntryOK)}, nil},
		{"one for_each instance still waiting", Canceled, []JournalEntry{e("each", "x", EntryWaiting), e("each", "y", EntryWaiting), e("each", "x", EntryOK)}, map[int]bool{1: true}},
		{"a wait a replay discarded", Canceled, []JournalEntry{e("pause", "", EntryWaiting), e("pause", "", EntryReset)}, nil},
		{"canceled while pending", Canceled, nil, nil},
		{"still waiting", Waiting, []JournalEntry{e("pause", "", EntryWaiting)}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, CanceledWaits(tt.status, tt.journal)); diff != "" {
				t.Errorf("CanceledWaits (-want +got):\n%s", diff)
			}
		})
	}
}
