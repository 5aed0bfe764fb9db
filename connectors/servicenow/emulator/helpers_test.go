package emulator

import (
	"bytes"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// fakeClock is a settable clock for Options.Now.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 11, 20, 9, 14, 5, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

const (
	svcUser      = "svc.cardflow"
	svcPass      = "s3cret"
	approver     = "beth.anglin"
	approverPass = "approve"
)

// fixture is a test instance: an emulator with two users behind httptest.
type fixture struct {
	t     *testing.T
	e     *Emulator
	srv   *httptest.Server
	clock *fakeClock
}

func newFixture(t *testing.T, mod func(*Options)) *fixture {
	t.Helper()
	clock := newClock()
	opts := Options{
		Users:        map[string]string{svcUser: svcPass, approver: approverPass},
		ClientID:     "cardflow-client",
		ClientSecret: "client-secret",
		ClientUser:   svcUser,
		Now:          clock.Now,
		InstanceURL:  "https://acme.service-now.com",
	}
	if mod != nil {
		mod(&opts)
	}
	e := New(opts)
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return &fixture{t: t, e: e, srv: srv, clock: clock}
}

// response is a decoded HTTP response.
type response struct {
	status int
	header http.Header
	raw    []byte
	body   map[string]any
}

func (r response) result() map[string]any {
	m, _ := r.body["result"].(map[string]any)
	return m
}

func (r response) results() []map[string]any {
	list, _ := r.body["result"].([]any)
	out := make([]map[string]any, 0, len(list))
	for _, x := range list {
		out = append(out, x.(map[string]any))
	}
	return out
}

// do sends a request as svc.cardflow unless headers set other auth.
func (f *fixture) do(method, path string, body any, headers ...string) response {
	f.t.Helper()
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			f.t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, f.srv.URL+path, rd)
	if err != nil {
		f.t.Fatal(err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth(svcUser, svcPass)
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i] == "Authorization" && headers[i+1] == "" {
			req.Header.Del("Authorization")
			continue
		}
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	r := response{status: resp.StatusCode, header: resp.Header, raw: raw}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &r.body); err != nil {
			f.t.Fatalf("%s %s: body is not JSON: %v\n%s", method, path, err, raw)
		}
	}
	return r
}

func basic(user, pass string) []string {
	req, _ := http.NewRequest("GET", "/", nil)
	req.SetBasicAuth(user, pass)
	return []string{"Authorization", req.Header.Get("Authorization")}
}

// createIncident POSTs an incident and returns its sys_id.
func (f *fixture) createIncident(fields map[string]any) string {
	f.t.Helper()
	r := f.do("POST", "/api/now/table/incident", fields)
	if r.status != http.StatusCreated {
		f.t.Fatalf("POST incident = %d %s", r.status, r.raw)
	}
	return r.result()["sys_id"].(string)
}

// loadFixture reads a JSON file of connectors/servicenow/testdata: real
// Table API responses, kept in the repository so the shape tests run on
// every clone.
func loadFixture(t *testing.T, name string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func keys(m map[string]any) []string {
	return slices.Sorted(maps.Keys(m))
}

func cmpSortJournal(less func(a, b JournalEntry) bool) cmp.Option {
	return cmpopts.SortSlices(less)
}
