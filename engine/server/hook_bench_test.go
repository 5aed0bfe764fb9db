package server_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/runtime"
	"github.com/cardflow/cardflow/engine/server"
	"github.com/cardflow/cardflow/engine/store"
	"github.com/cardflow/cardflow/engine/trigger"
)

// acceptingInbox acknowledges every event without storing it, so that
// BenchmarkHook measures the server, the connector and the intake, not a
// store.
type acceptingInbox struct{}

func (acceptingInbox) Enqueue(_ context.Context, events []store.Event, _ store.EnqueueOptions) ([]store.Enqueued, error) {
	res := make([]store.Enqueued, len(events))
	for i := range res {
		res[i].ID = strconv.Itoa(i)
	}
	return res, nil
}

// BenchmarkHook posts an Okta delivery to the hook handler, through
// routing, authentication, decoding, the intake's fan-out to the
// subscribed flows, checks and correlation terms, and enqueueing.
func BenchmarkHook(b *testing.B) {
	benchHook(b, acceptingInbox{}, nil, func() bool { return true })
}

// benchHook posts the fixture deliveries to the hook handler of an intake
// on inbox and workers (nil: none), each answered 200 and followed by ok.
func benchHook(b *testing.B, inbox trigger.Inbox, workers trigger.Workers, ok func() bool) {
	gen := loadGen(b, flowsHCL)
	clients := runtime.NewClients()
	defer clients.Close()
	obs := &observer{received: map[string]int{}, rejected: map[string]int{}}
	fb := &fakeBackend{gen: gen, clients: clients}
	in := &trigger.Intake{Store: inbox, Workers: workers, Generation: fb.Generation, Observer: obs}
	h := (&server.Server{Backend: fb, Intake: in, Observer: obs}).Handler()
	for _, name := range []string{"event-hook-user-created.json", "event-hook-batch-mixed.json"} {
		body := readFixture(b, name)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				req := httptest.NewRequest(http.MethodPost, "/hooks/okta/main", io.NopCloser(bytes.NewReader(body)))
				req.ContentLength = int64(len(body))
				req.Header.Set("Authorization", hookSecret)
				req.Header.Set("Content-Type", "application/json")
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK || !ok() {
					b.Fatalf("status %d: %s", rec.Code, rec.Body)
				}
			}
		})
	}
}

// claimingInbox is acceptingInbox that claims what its Claimant asks for,
// as a store does in the write that enqueues.
type claimingInbox struct{}

func (claimingInbox) Enqueue(_ context.Context, events []store.Event, opts store.EnqueueOptions) ([]store.Enqueued, error) {
	res := make([]store.Enqueued, len(events))
	for i, ev := range events {
		res[i].ID = strconv.Itoa(i)
		if i < opts.Claim.Max {
			res[i].Claimed = &store.Execution{ID: res[i].ID, Flow: ev.Flow, Payload: ev.Payload, PinnedByClaim: true,
				DefinitionHash: opts.Claim.Pin(ev.Flow)}
		}
	}
	return res, nil
}

// startingWorkers are always idle. Their Start does what the pool's worker
// does for a handed-over execution before its first card: take the trigger
// value the intake decoded, or decode the payload (as runtime's
// triggerValue) when it has none.
type startingWorkers struct{}

func (startingWorkers) Reserve(n int) trigger.Reservation           { return startingReservation(n) }
func (startingWorkers) Wake()                                       {}
func (startingWorkers) Freed() <-chan struct{}                      { return nil }
func (startingWorkers) Hold(string, string, *trigger.Received) bool { return false }
func (startingWorkers) Release(string, string)                      {}

type startingReservation int

func (r startingReservation) Len() int { return int(r) }
func (r startingReservation) Claim(pin func(string) string) store.Claimant {
	return store.Claimant{Owner: "bench", Lease: time.Minute, Max: int(r), Pin: pin}
}

var started cty.Value

func (r startingReservation) Start(claimed []trigger.Claimed) {
	for _, c := range claimed {
		v := c.Trigger
		if v == cty.NilVal {
			var err error
			if v, err = connector.FromJSONPaths(c.Execution.Payload, c.Flow.Trigger.Spec.Output, c.Flow.TriggerUse); err != nil {
				panic(err)
			}
		}
		started = v
	}
}

// BenchmarkHookHandedOver is BenchmarkHook with idle workers: the intake
// claims each execution as it enqueues it and hands it over, and the
// worker gets the trigger value it starts on.
func BenchmarkHookHandedOver(b *testing.B) {
	benchHook(b, claimingInbox{}, startingWorkers{}, func() bool { return started != cty.NilVal })
}
