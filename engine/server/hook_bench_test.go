package server_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

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
	gen := loadGen(b, flowsHCL)
	clients := runtime.NewClients()
	defer clients.Close()
	obs := &observer{received: map[string]int{}, rejected: map[string]int{}}
	fb := &fakeBackend{gen: gen, clients: clients}
	in := &trigger.Intake{Store: acceptingInbox{}, Generation: fb.Generation, Observer: obs}
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
				if rec.Code != http.StatusOK {
					b.Fatalf("status %d: %s", rec.Code, rec.Body)
				}
			}
		})
	}
}
