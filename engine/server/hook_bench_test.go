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
)

// acceptingBackend acknowledges every event without storing it, so that
// BenchmarkHook measures the server and the connector, not a store.
type acceptingBackend struct {
	*fakeBackend
}

func (b acceptingBackend) Enqueue(_ context.Context, events []store.Event) ([]store.Enqueued, error) {
	res := make([]store.Enqueued, len(events))
	for i := range res {
		res[i].ID = strconv.Itoa(i)
	}
	return res, nil
}

// BenchmarkHook posts an Okta delivery to the hook handler, through
// routing, authentication, decoding, fan-out to the subscribed flows and
// enqueueing.
func BenchmarkHook(b *testing.B) {
	gen := loadGen(b, flowsHCL)
	clients := runtime.NewClients()
	defer clients.Close()
	obs := &observer{received: map[string]int{}, rejected: map[string]int{}}
	h := (&server.Server{Backend: acceptingBackend{&fakeBackend{gen: gen, clients: clients}}, Observer: obs}).Handler()
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
