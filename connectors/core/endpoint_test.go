package core

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"
)

func endpointConfig(token string) cty.Value {
	return cty.ObjectVal(map[string]cty.Value{"token": cty.StringVal(token)})
}

func TestEndpointInvoke(t *testing.T) {
	trig, ok := HTTP().Trigger("endpoint")
	if !ok || trig.Invoke == nil || trig.Mode != connector.Push {
		t.Fatal("http.endpoint is not a push trigger with Invoke")
	}
	tests := []struct {
		name    string
		target  string
		body    string
		headers map[string]string
		wantID  string // "" means a random one
		payload map[string]any
	}{
		{
			name: "token in header, JSON body, idempotency key", target: "/flows/f/invoke?x=1",
			body: `{"number":"INC001","n":12345678901234567890}`,
			headers: map[string]string{
				"X-Api-Client-Token": "s3cret", "Content-Type": "application/json", "Idempotency-Key": "key-1",
				"Authorization": "Bearer other", "Cookie": "c=1", "X-Api-Key": "k", "Proxy-Authorization": "p", "X-Trace": "t",
			},
			wantID: "key-1",
			payload: map[string]any{
				"method":  "POST",
				"headers": map[string]any{"content-type": "application/json", "idempotency-key": "key-1", "x-trace": "t"},
				"query":   map[string]any{"x": "1"},
				"body":    map[string]any{"number": "INC001", "n": json.Number("12345678901234567890")},
			},
		},
		{
			name: "token in the query is not copied", target: "/flows/f/invoke?clientToken=s3cret&a=b&a=c",
			body: "plain text", headers: map[string]string{"Content-Type": "text/plain"},
			payload: map[string]any{
				"method":  "POST",
				"headers": map[string]any{"content-type": "text/plain"},
				"query":   map[string]any{"a": "b,c"},
				"body":    "plain text",
			},
		},
		{
			name: "empty JSON body", target: "/flows/f/invoke?clientToken=s3cret",
			headers: map[string]string{"Content-Type": "application/json"},
			payload: map[string]any{"method": "POST", "headers": map[string]any{"content-type": "application/json"}, "query": map[string]any{}, "body": ""},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, tt.target, strings.NewReader(tt.body))
			for k, v := range tt.headers {
				r.Header.Set(k, v)
			}
			evs, err := trig.Invoke(endpointConfig("s3cret"), r)
			if err != nil {
				t.Fatal(err)
			}
			if len(evs) != 1 {
				t.Fatalf("%d events, want 1", len(evs))
			}
			ev := evs[0]
			if tt.wantID != "" && ev.ID != tt.wantID {
				t.Errorf("ID = %q, want %q", ev.ID, tt.wantID)
			}
			if tt.wantID == "" && len(ev.ID) != 32 {
				t.Errorf("ID = %q, want a random 32-hex id", ev.ID)
			}
			if ev.Type != "http.endpoint" || ev.Time.IsZero() {
				t.Errorf("Type %q Time %v", ev.Type, ev.Time)
			}
			dec := json.NewDecoder(strings.NewReader(string(ev.Payload)))
			dec.UseNumber()
			var got map[string]any
			if err := dec.Decode(&got); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.payload, got); diff != "" {
				t.Errorf("payload (-want +got):\n%s", diff)
			}
			if strings.Contains(string(ev.Payload), "s3cret") || strings.Contains(string(ev.Payload), "Bearer") {
				t.Errorf("a secret reached the payload: %s", ev.Payload)
			}
			// The payload conforms to the trigger's output type.
			if _, err := connector.FromJSON(ev.Payload, trig.Output); err != nil {
				t.Errorf("payload does not fit the output type: %v", err)
			}
		})
	}
	t.Run("two invocations without a key differ", func(t *testing.T) {
		ids := map[string]bool{}
		for range 2 {
			r := httptest.NewRequest(http.MethodPost, "/flows/f/invoke?clientToken=s3cret", nil)
			evs, err := trig.Invoke(endpointConfig("s3cret"), r)
			if err != nil {
				t.Fatal(err)
			}
			ids[evs[0].ID] = true
		}
		if len(ids) != 2 {
			t.Errorf("ids %v, want two distinct", ids)
		}
	})
}

func TestEndpointRejects(t *testing.T) {
	trig, _ := HTTP().Trigger("endpoint")
	big := strings.Repeat("x", MaxBody+1)
	tests := []struct {
		name, token, target, header, body, contentType string
		kind                                           connector.Kind
		status                                         int
	}{
		{"no token", "s3cret", "/", "", "{}", "application/json", connector.Permission, 401},
		{"wrong token", "s3cret", "/", "s3cre", "{}", "application/json", connector.Permission, 401},
		{"wrong query token", "s3cret", "/?clientToken=nope", "", "{}", "application/json", connector.Permission, 401},
		{"longer token", "s3cret", "/", "s3cret!", "{}", "", connector.Permission, 401},
		{"unconfigured token never matches", "", "/?clientToken=", "", "{}", "", connector.Permission, 401},
		{"over 1 MiB", "s3cret", "/", "s3cret", big, "text/plain", connector.Invalid, 413},
		{"malformed JSON", "s3cret", "/", "s3cret", `{"a":`, "application/json", connector.Invalid, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, tt.target, strings.NewReader(tt.body))
			if tt.header != "" {
				r.Header.Set("X-Api-Client-Token", tt.header)
			}
			if tt.contentType != "" {
				r.Header.Set("Content-Type", tt.contentType)
			}
			evs, err := trig.Invoke(endpointConfig(tt.token), r)
			var ce *connector.Error
			if !errors.As(err, &ce) {
				t.Fatalf("error %v, want a *connector.Error", err)
			}
			if ce.Kind != tt.kind || ce.Status != tt.status {
				t.Errorf("kind %v status %d, want %v %d", ce.Kind, ce.Status, tt.kind, tt.status)
			}
			if len(evs) != 0 {
				t.Errorf("events %v on rejection", evs)
			}
		})
	}
	t.Run("exactly 1 MiB is accepted", func(t *testing.T) {
		r := httptest.NewRequest(http.MethodPost, "/?clientToken=s3cret", strings.NewReader(big[:MaxBody]))
		if _, err := trig.Invoke(endpointConfig("s3cret"), r); err != nil {
			t.Error(err)
		}
	})
}
