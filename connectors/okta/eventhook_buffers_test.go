package okta_test

import (
	"bytes"
	"errors"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cardflow/cardflow/connectors/okta"
	"github.com/cardflow/cardflow/engine/connector"
)

// The buffer a delivery is read into is reused for the next one: the
// events of a delivery must keep none of it. Each delivery is received,
// then others are received into the reused buffers, and its events must
// still be those a decode of a copy of its body gives, on both of the
// decoder's paths (the one pass and encoding/json, which takes the
// case-folded names).
func TestReceivedEventsOutliveTheirBuffer(t *testing.T) {
	c := hookClient(t, nil)
	bodies := map[string][]byte{
		"user created": fixture(t, "event-hook-user-created.json"),
		"batch":        fixture(t, "event-hook-batch-mixed.json"),
		"folded names": bytes.Replace(fixture(t, "event-hook-user-created.json"), []byte(`"eventType":"com.okta.event_hook"`),
			[]byte(`"EVENTTYPE":"com.okta.event_hook"`), 1),
	}
	// A delivery as long as each of them, of other bytes everywhere.
	overwrite := func(n int) []byte {
		b := []byte(`{"eventType":"com.okta.event_hook","data":{"events":[]}`)
		return append(append(b, bytes.Repeat([]byte{' '}, max(0, n-len(b)-1))...), '}')
	}
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			want, err := okta.DecodeEventHook(bytes.Clone(body))
			if err != nil {
				t.Fatal(err)
			}
			for range 20 { // sync.Pool may drop a buffer (it does at random under -race)
				r := delivery(t, body, "Authorization", hookSecret)
				_, got, _, err := receive(c, r)
				if err != nil {
					t.Fatal(err)
				}
				for range 4 {
					r := delivery(t, overwrite(len(body)), "Authorization", hookSecret)
					if _, evs, _, err := receive(c, r); err != nil || len(evs) != 0 {
						t.Fatalf("filler delivery: %d events, %v", len(evs), err)
					}
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Fatalf("events changed after later deliveries (-want +got):\n%s", diff)
				}
			}
		})
	}
}

// A delivery read without a Content-Length (chunked) or with a wrong one
// decodes the same as with the right one.
func TestReceiveReadsBodiesOfAnyLength(t *testing.T) {
	c := hookClient(t, nil)
	body := fixture(t, "event-hook-batch-mixed.json")
	want, err := okta.DecodeEventHook(body)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int64{-1, 0, 10, int64(len(body)), int64(len(body)) + 100} {
		r := delivery(t, body, "Authorization", hookSecret)
		r.ContentLength = n
		_, got, _, err := receive(c, r)
		if err != nil {
			t.Fatalf("content length %d: %v", n, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("content length %d (-want +got):\n%s", n, diff)
		}
	}
	r := delivery(t, bytes.Repeat([]byte{' '}, 1<<20+1), "Authorization", hookSecret)
	r.ContentLength = -1
	_, _, _, err = receive(c, r)
	var ce *connector.Error
	if !errors.As(err, &ce) || ce.Status != http.StatusRequestEntityTooLarge {
		t.Fatalf("an oversized chunked delivery: %v, want 413", err)
	}
}
