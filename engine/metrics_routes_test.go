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
	zeros := 0
	for _, l := range strings.Split(r.get(t, "/metrics"), "\n") {
		if !strings.HasPrefix(l, "cardflow_requests_rejected_total{") {
			continue
		}
		if strings.HasSuffix(l, "} 0") {
			zeros++
			continue
		}
		series = append(series, l)
	}
	sort.Strings(series)
	// The public 404s (GET /<random>) are counted under other, as the
	// admin surface's 401s to unknown paths are.
	want := []string{
		`cardflow_requests_rejected_total{route="/api",status="Unauthorized"} 3333`,
		`cardflow_requests_rejected_total{route="/hooks",status="Unauthorized"} 1000`,
		`cardflow_requests_rejected_total{route="other",status="Not Found"} 1000`,
		`cardflow_requests_rejected_total{route="other",status="Unauthorized"} 6667`,
	}
	if strings.Join(series, "\n") != strings.Join(want, "\n") {
		t.Errorf("rejected series:\n%s\nwant:\n%s", strings.Join(series, "\n"), strings.Join(want, "\n"))
	}
	// Every other series is one of the fixed set created at zero: 8
	// routes by 8 statuses.
	if total := zeros + len(series); total != 8*8 {
		t.Errorf("%d rejected series (%d at zero), want the 64 of the fixed set", total, zeros)
	}
}

// TestMetricsSeriesStartAtZero: the series whose label values are known
// up front are on /metrics at 0 before anything happened, so that
// rate(...) is 0 rather than "no data" on a fresh replica; and requests no
// route matches, on either surface, are counted under route="other".
func TestMetricsSeriesStartAtZero(t *testing.T) {
	r := startEngine(t)
	metrics := r.get(t, "/metrics")
	for _, want := range []string{
		`cardflow_reloads_total{result="rejected"} 0`,
		`cardflow_requests_rejected_total{route="/hooks",status="Unauthorized"} 0`,
		`cardflow_requests_rejected_total{route="/flows",status="Service Unavailable"} 0`,
		`cardflow_requests_rejected_total{route="/api",status="Forbidden"} 0`,
		`cardflow_requests_rejected_total{route="other",status="Not Found"} 0`,
		`cardflow_executions_total{flow="on_create",status="failed"} 0`,
		`cardflow_executions_total{flow="on_create",status="halted"} 0`,
		`cardflow_events_received_total{flow="on_create"} 0`,
		`cardflow_poll_errors_total{flow="lagging"} 0`,
	} {
		if !strings.Contains(metrics, "\n"+want+"\n") {
			t.Errorf("/metrics has no %s", want)
		}
	}

	for _, req := range []struct{ base, method, path string }{
		{r.srv.URL, http.MethodGet, "/no-such-route"},
		{r.srv.URL, http.MethodGet, "/flows/on_create/invoke"},
		{r.admin.URL, http.MethodGet, "/api/v2/nothing"},
	} {
		hr, err := http.NewRequest(req.method, req.base+req.path, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := r.srv.Client().Do(hr)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	metrics = r.get(t, "/metrics")
	for _, want := range []string{
		`cardflow_requests_rejected_total{route="other",status="Not Found"} 2`,
		`cardflow_requests_rejected_total{route="other",status="Method Not Allowed"} 1`,
	} {
		if !strings.Contains(metrics, "\n"+want+"\n") {
			t.Errorf("/metrics has no %s", want)
		}
	}
}
