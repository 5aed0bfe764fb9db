package example_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/connectors/example"
	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/connector/connectortest"
)

// service is a fake of the ticketing service: what a connector's tests
// need is an HTTP server on loopback that answers as the real one does.
type service struct {
	mu      sync.Mutex
	tickets map[string]map[string]any
	byKey   map[string]string // Idempotency-Key -> ticket id
	posts   int
	fail    int // answer the next requests with this status
}

func newService(t *testing.T) (*service, string) {
	s := &service{tickets: map[string]map[string]any{}, byKey: map[string]string{}}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv.URL
}

func (s *service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.Header.Get("Authorization") != "Bearer s3cret" {
		http.Error(w, "bad token", http.StatusUnauthorized)
		return
	}
	if s.fail != 0 {
		w.Header().Set("Retry-After", "7")
		http.Error(w, "slow down", s.fail)
		s.fail = 0
		return
	}
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/tickets":
		s.posts++
		if id, ok := s.byKey[r.Header.Get("Idempotency-Key")]; ok {
			json.NewEncoder(w).Encode(s.tickets[id])
			return
		}
		var body map[string]any
		json.NewDecoder(r.Body).Decode(&body)
		id := "T" + strconv.Itoa(len(s.tickets)+1)
		body["id"], body["status"] = id, "open"
		s.tickets[id] = body
		s.byKey[r.Header.Get("Idempotency-Key")] = id
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(body)
	case r.Method == http.MethodGet && len(r.URL.Path) > len("/tickets/"):
		t, ok := s.tickets[r.URL.Path[len("/tickets/"):]]
		if !ok {
			http.Error(w, "no such ticket", http.StatusNotFound)
			return
		}
		json.NewEncoder(w).Encode(t)
	default:
		http.NotFound(w, r)
	}
}

func open(t *testing.T, base, token string) connector.Client {
	t.Helper()
	c, err := example.Open(cty.ObjectVal(map[string]cty.Value{"base_url": cty.StringVal(base), "token": cty.StringVal(token)}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// do runs an action as the engine does: arguments through the action's
// schema (defaults applied), a call key, the provisioned client.
func do(t *testing.T, c connector.Client, name string, args map[string]cty.Value, key connector.CallKey) (cty.Value, error) {
	t.Helper()
	a, ok := example.New().Action(name)
	if !ok {
		t.Fatalf("no action %s", name)
	}
	in, err := connector.ArgsOf(a.Input, cty.ObjectVal(args))
	if err != nil {
		t.Fatal(err)
	}
	v, err := a.Do(context.Background(), &connector.Call{Client: c, Input: in, Key: key})
	if err == nil && !v.Type().Equals(a.Output) {
		t.Errorf("%s returned %s, want its Output %s", name, v.Type().FriendlyName(), a.Output.FriendlyName())
	}
	return v, err
}

func TestCreateThenGet(t *testing.T) {
	svc, base := newService(t)
	c := open(t, base, "s3cret")
	key := connector.CallKey{Execution: "ex_1", Card: "ticket"}
	created, err := do(t, c, "create_ticket", map[string]cty.Value{"title": cty.StringVal("Laptop for Kari")}, key)
	if err != nil {
		t.Fatal(err)
	}
	id := created.GetAttr("id").AsString()
	if p, _ := created.GetAttr("priority").AsBigFloat().Int64(); p != 3 {
		t.Errorf("priority = %d, want the default 3", p)
	}
	// A retry of the same card invocation opens no second ticket.
	again, err := do(t, c, "create_ticket", map[string]cty.Value{"title": cty.StringVal("Laptop for Kari")}, key)
	if err != nil || again.GetAttr("id").AsString() != id || len(svc.tickets) != 1 || svc.posts != 2 {
		t.Errorf("the retry made %d tickets (%v, %v), want the first one back", len(svc.tickets), again, err)
	}
	got, err := do(t, c, "get_ticket", map[string]cty.Value{"id": cty.StringVal(id)}, connector.CallKey{})
	if err != nil || got.GetAttr("title").AsString() != "Laptop for Kari" || got.GetAttr("status").AsString() != "open" {
		t.Errorf("get_ticket = %v, %v", got, err)
	}
}

func TestFailuresHaveKinds(t *testing.T) {
	svc, base := newService(t)
	cases := []struct {
		name  string
		setup func()
		token string
		want  connector.Kind
	}{
		{"missing", func() {}, "s3cret", connector.NotFound},
		{"bad token", func() {}, "wrong", connector.Permission},
		{"throttled", func() { svc.fail = http.StatusTooManyRequests }, "s3cret", connector.RateLimited},
		{"outage", func() { svc.fail = http.StatusServiceUnavailable }, "s3cret", connector.Transient},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.setup()
			_, err := do(t, open(t, base, tc.token), "get_ticket", map[string]cty.Value{"id": cty.StringVal("T404")}, connector.CallKey{})
			if connector.KindOf(err) != tc.want {
				t.Fatalf("err = %v (kind %s), want kind %s", err, connector.KindOf(err), tc.want)
			}
			var ce *connector.Error
			if !errors.As(err, &ce) || !strings.HasPrefix(ce.Op, "example.get_ticket: GET /tickets/T404") {
				t.Errorf("err %v does not name the action", err)
			}
			if tc.want == connector.RateLimited && time.Until(connector.RetryAt(err)) < 5*time.Second {
				t.Errorf("RetryAt %v ignores Retry-After: 7", connector.RetryAt(err))
			}
		})
	}
}

// A connector declared with connector.NewAction gets this check for free;
// a new connector's tests call it too.
func TestActionsRefuseOtherConnections(t *testing.T) {
	connectortest.RefusesOtherConnections(t, example.New())
}

func TestWrongConnection(t *testing.T) {
	_, err := do(t, nil, "get_ticket", map[string]cty.Value{"id": cty.StringVal("T1")}, connector.CallKey{})
	if connector.KindOf(err) != connector.Invalid {
		t.Errorf("a card without an example connection: %v, want kind invalid", err)
	}
	_, err = example.Open(cty.ObjectVal(map[string]cty.Value{"base_url": cty.StringVal("not a url"), "token": cty.StringVal("x")}))
	var ce *connector.Error
	if !errors.As(err, &ce) || ce.Kind != connector.Invalid || ce.Op != "example.open" {
		t.Errorf("Open of a relative URL: %v, want kind invalid from example.open", err)
	}
}

// The token is Sensitive: the engine keeps it out of journals and logs, and
// refuses a literal one in a flow file.
func TestTokenIsSensitive(t *testing.T) {
	a, _ := example.New().Connection.Lookup("token")
	if a == nil || !a.Sensitive {
		t.Error("the token attribute is not Sensitive")
	}
}
