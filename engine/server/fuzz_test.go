package server_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/cardflow/cardflow/connectors/okta"
	"github.com/cardflow/cardflow/engine/runtime"
	"github.com/cardflow/cardflow/engine/server"
	"github.com/cardflow/cardflow/engine/store"
	"github.com/cardflow/cardflow/engine/store/memory"
)

// FuzzHook posts arbitrary bodies to the event hook: the server never
// panics, answers 200 only after storing every matching event of the
// delivery, and stores nothing otherwise.
func FuzzHook(f *testing.F) {
	f.Add(readFixture(f, "event-hook-batch-mixed.json"))
	f.Add(readFixture(f, "event-hook-user-created.json"))
	f.Add([]byte(`{"eventType":"com.okta.event_hook","data":{"events":[{"uuid":"a","eventType":"user.lifecycle.create"},{"uuid":"b"}]}}`))
	f.Add([]byte(`{"eventType":"com.okta.event_hook","data":{"events":[{"uuid":"a","eventType":"user.lifecycle.create"},7]}}`))
	f.Add([]byte(`{"eventType":"com.okta.event_hook","data":{"events":null}}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`[`))
	gen := loadGen(f, flowsHCL)
	clients := runtime.NewClients()
	defer clients.Close()
	f.Fuzz(func(t *testing.T, body []byte) {
		b := &fakeBackend{gen: gen, clients: clients, st: memory.New()}
		defer b.st.Close()
		h := (&server.Server{Backend: b, Intake: b.intake(nil)}).Handler()
		req := httptest.NewRequest(http.MethodPost, "/hooks/okta/main", bytes.NewReader(body))
		req.Header.Set("Authorization", hookSecret)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)

		exs, err := b.st.Executions(context.Background(), store.Filter{Limit: 10_000})
		if err != nil {
			t.Fatal(err)
		}
		if rec.Code != http.StatusOK {
			if len(exs) != 0 {
				t.Fatalf("status %d but %d executions stored", rec.Code, len(exs))
			}
			return
		}
		// Accepted: every event for a subscribed type is stored, once per
		// distinct uuid and flow.
		events, err := okta.DecodeEventHook(body)
		if err != nil {
			t.Fatalf("200 for a body the decoder rejects: %v", err)
		}
		want := map[[2]string]bool{}
		for _, ev := range events {
			switch ev.Type {
			case "user.lifecycle.create":
				want[[2]string{"on_create", ev.ID}] = true
			case "user.account.update_profile":
				want[[2]string{"on_update", ev.ID}] = true
			}
		}
		if len(exs) != len(want) {
			t.Fatalf("stored %d executions, want %d", len(exs), len(want))
		}
		for _, ex := range exs {
			if !want[[2]string{ex.Flow, ex.DedupKey}] {
				t.Fatalf("unexpected execution %s/%s", ex.Flow, ex.DedupKey)
			}
		}
	})
}

// FuzzInvoke posts arbitrary bodies and content types to an endpoint flow:
// no panic, and 202 exactly when one execution was stored.
func FuzzInvoke(f *testing.F) {
	f.Add([]byte(`{"title":"CTO"}`), "application/json")
	f.Add([]byte(`{"a":`), "application/json")
	f.Add([]byte("plain"), "text/plain")
	f.Add([]byte{0xff, 0xfe}, "application/json; charset=utf-16")
	gen := loadGen(f, flowsHCL)
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		b := &fakeBackend{gen: gen, clients: runtime.NewClients(), st: memory.New()}
		defer b.st.Close()
		req := httptest.NewRequest(http.MethodPost, "/flows/hr/invoke?clientToken=hr-token", bytes.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		rec := httptest.NewRecorder()
		(&server.Server{Backend: b, Intake: b.intake(nil)}).Handler().ServeHTTP(rec, req)
		exs, err := b.st.Executions(context.Background(), store.Filter{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		want := 0
		if rec.Code == http.StatusAccepted {
			want = 1
		}
		if len(exs) != want {
			t.Fatalf("status %d with %d executions stored", rec.Code, len(exs))
		}
	})
}
