package okta_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/cardflow/cardflow/connectors/okta"
)

var hookFixtures = []string{"event-hook-user-created.json", "event-hook-batch-mixed.json"}

func BenchmarkDecodeEventHook(b *testing.B) {
	for _, name := range hookFixtures {
		body := fixture(b, name)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				if _, err := okta.DecodeEventHook(body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkReceiveEventHook measures what the connector does for a POSTed
// delivery: authenticate, read the body, decode it.
func BenchmarkReceiveEventHook(b *testing.B) {
	c := hookClient(b, nil)
	hook := okta.New().Webhook
	for _, name := range hookFixtures {
		body := fixture(b, name)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			r := httptest.NewRequest(http.MethodPost, "/hooks/okta/main", nil)
			r.Header.Set("Authorization", hookSecret)
			r.ContentLength = int64(len(body))
			for b.Loop() {
				r.Body = io.NopCloser(bytes.NewReader(body))
				if _, err := hook.Receive(r.Context(), c, r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
