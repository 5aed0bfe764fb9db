package engine_test

import (
	"crypto/rand"
	"encoding/hex"
	"io"
	"net/http"
	"sort"
	"strings"
	"testing"
)

// TestRejectedRequestsAreCountedByRoute: cardflow_requests_rejected_total
// is labelled by the route a refused request matched, from a fixed set,
// never by its path. 10,000 unauthenticated requests to random paths of the
// admin surface (a caller that is not on loopback, as a DNS-rebinding page
// is) and of the public one add no series beyond that set.
func TestRejectedRequestsAreCountedByRoute(t *testing.T) {
	r := startEngine(t)
	client := r.admin.Client()
	send := func(base, path, host string) int {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, base+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Host = host
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	const n = 10000
	b := make([]byte, 6)
	for i := range n {
		_, _ = rand.Read(b)
		seg := hex.EncodeToString(b)
		paths := []string{"/" + seg, "/api/v1/executions/" + seg, "/" + seg + "/metrics"}
		if status := send(r.admin.URL, paths[i%len(paths)], "rebind.example"); status != http.StatusUnauthorized {
			t.Fatalf("GET %s from another host: %d, want 401", paths[i%len(paths)], status)
		}
		if i%10 == 0 {
			send(r.srv.URL, "/hooks/okta/"+seg, "cardflow.example")
			send(r.srv.URL, "/"+seg, "cardflow.example")
		}
	}
	var series []string
	for _, l := range strings.Split(r.get(t, "/metrics"), "\n") {
		if strings.HasPrefix(l, "cardflow_requests_rejected_total{") {
			series = append(series, l)
		}
	}
	sort.Strings(series)
	want := []string{
		`cardflow_requests_rejected_total{route="/api",status="Unauthorized"} 3333`,
		`cardflow_requests_rejected_total{route="/hooks",status="Unauthorized"} 1000`,
		`cardflow_requests_rejected_total{route="other",status="Unauthorized"} 6667`,
	}
	if strings.Join(series, "\n") != strings.Join(want, "\n") {
		t.Errorf("rejected series:\n%s\nwant:\n%s", strings.Join(series, "\n"), strings.Join(want, "\n"))
	}
}
