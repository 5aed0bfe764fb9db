package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// postFaults sends body to a running emulator's /_emulator/faults and
// returns the status and the answer.
func postFaults(t *testing.T, base, body string) (int, string) {
	t.Helper()
	resp, err := http.Post(base+"/_emulator/faults", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestE2EEmulateFaultsOkta: faults injected over HTTP into a running
// `cardflow emulate okta` answer as Okta does, for the count or the
// duration asked, and bad specs are refused with a reason.
func TestE2EEmulateFaultsOkta(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	t.Parallel()
	base, _ := startEmulator(t, "okta", "--listen", "127.0.0.1:0")
	get := func() *http.Response {
		req, _ := http.NewRequest("GET", base+"/api/v1/groups", nil)
		req.Header.Set("Authorization", "SSWS x")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	if code, body := postFaults(t, base, `{"status": 429, "reset_after": "20s", "path": "/api/v1/groups"}`); code != http.StatusCreated {
		t.Fatalf("POST a 429 fault: %d %s", code, body)
	}
	resp := get()
	reset, _ := strconv.ParseInt(resp.Header.Get("X-Rate-Limit-Reset"), 10, 64)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("X-Rate-Limit-Remaining") != "0" || reset < time.Now().Add(18*time.Second).Unix() {
		t.Errorf("after a 429 fault: %d, reset %d, headers %v", resp.StatusCode, reset, resp.Header)
	}
	req, _ := http.NewRequest("DELETE", base+"/_emulator/faults", nil)
	if code := httpStatus(t, req); code != http.StatusNoContent {
		t.Errorf("DELETE faults: %d", code)
	}
	if resp := get(); resp.StatusCode != http.StatusOK {
		t.Errorf("after clearing: %d", resp.StatusCode)
	}

	if code, body := postFaults(t, base, `[{"status": 503, "for": "1s"}, {"status": 500, "count": 1, "method": "POST"}]`); code != http.StatusCreated {
		t.Fatalf("POST an outage: %d %s", code, body)
	}
	for i := range 3 {
		if resp := get(); resp.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("request %d during the outage: %d", i, resp.StatusCode)
		}
	}
	r, _ := http.Get(base + "/_emulator/faults")
	var list struct{ Faults []map[string]any }
	_ = json.NewDecoder(r.Body).Decode(&list)
	r.Body.Close()
	if len(list.Faults) != 2 {
		t.Errorf("GET faults lists %d, want 2: %v", len(list.Faults), list)
	}
	eventually(t, "the outage to end", func() bool { return get().StatusCode == http.StatusOK })

	for _, bad := range []struct{ body, want string }{
		{`{"status": 200}`, "not an error status"},
		{`{"status": 503, "for": "soon"}`, `is not a duration such as`},
		{`{"count": 2}`, "does nothing"},
		{`{"status": 503, "stauts": 1}`, "unknown field"},
		{`{"latency": "1s", "commit": true}`, "commit is a ServiceNow fault"},
	} {
		if code, body := postFaults(t, base, bad.body); code != http.StatusBadRequest || !strings.Contains(body, bad.want) {
			t.Errorf("POST %s: %d %s, want 400 saying %q", bad.body, code, body, bad.want)
		}
	}
}

// TestE2EEmulateFaultsServiceNow: a slow POST with commit creates its
// incident after the client gave up; a connection reset loses the answer.
func TestE2EEmulateFaultsServiceNow(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	t.Parallel()
	base, _ := startEmulator(t, "servicenow", "--listen", "127.0.0.1:0")
	create := func(ctx context.Context, key string) error {
		body, _ := json.Marshal(map[string]string{"short_description": "chaos", "correlation_id": key})
		req, _ := http.NewRequestWithContext(ctx, "POST", base+"/api/now/table/incident", bytes.NewReader(body))
		req.SetBasicAuth("admin", "admin")
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		return err
	}
	count := func(key string) int {
		req, _ := http.NewRequest("GET", base+"/api/now/table/incident?sysparm_query=correlation_id="+key, nil)
		req.SetBasicAuth("admin", "admin")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out struct{ Result []any }
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return len(out.Result)
	}
	if code, body := postFaults(t, base, `{"method": "POST", "path": "/api/now/table/incident", "latency": "600ms", "commit": true}`); code != http.StatusCreated {
		t.Fatalf("POST a fault: %d %s", code, body)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	err := create(ctx, "slow-1")
	cancel()
	if err == nil {
		t.Fatal("the slow POST answered within 100ms")
	}
	if n := count("slow-1"); n != 0 {
		t.Errorf("%d incidents while the transaction runs, want 0", n)
	}
	eventually(t, "the slow POST to commit", func() bool { return count("slow-1") == 1 })

	if code, body := postFaults(t, base, `{"method": "POST", "connection_reset": true, "commit": true}`); code != http.StatusCreated {
		t.Fatalf("POST a fault: %d %s", code, body)
	}
	if err := create(context.Background(), "reset-1"); err == nil {
		t.Error("a POST got an answer through a connection reset")
	}
	if n := count("reset-1"); n != 1 {
		t.Errorf("%d incidents after a reset with commit, want 1", n)
	}
}

// TestE2EEmulateFaultFlag: --fault injects from the start; a bad one is a
// usage error that says what is wrong.
func TestE2EEmulateFaultFlag(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	t.Parallel()
	base, _ := startEmulator(t, "servicenow", "--listen", "127.0.0.1:0",
		"--fault", `{"status": 503, "count": 2, "method": "GET"}`)
	get := func() int {
		req, _ := http.NewRequest("GET", base+"/api/now/table/incident?sysparm_limit=1", nil)
		req.SetBasicAuth("admin", "admin")
		return httpStatus(t, req)
	}
	for i, want := range []int{503, 503, 200} {
		if got := get(); got != want {
			t.Errorf("request %d: HTTP %d, want %d", i+1, got, want)
		}
	}
	out, err := exec.Command(cardflowBin, "emulate", "okta", "--listen", "127.0.0.1:0", "--fault", `{"status": 503, "for": "soon"}`).CombinedOutput()
	var ee *exec.ExitError
	if err == nil || !asExit(err, &ee) || ee.ExitCode() != 2 || !strings.Contains(string(out), `for "soon" is not a duration`) {
		t.Errorf("a bad --fault must exit 2 saying why: %v\n%s", err, out)
	}
}

// TestE2EEmulateOktaRateLimits: `cardflow emulate okta
// --enforce-rate-limits --rate-limit groups=2` answers two group lists a
// window and 429 E0000047 to the third, with that bucket's headers, while
// other buckets still answer.
func TestE2EEmulateOktaRateLimits(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	t.Parallel()
	base, _ := startEmulator(t, "okta", "--listen", "127.0.0.1:0", "--enforce-rate-limits", "--rate-limit", "groups=2")
	get := func(path string) (*http.Response, string) {
		req, _ := http.NewRequest("GET", base+path, nil)
		req.Header.Set("Authorization", "SSWS x")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, string(b)
	}
	for i, want := range []string{"1", "0"} {
		if resp, _ := get("/api/v1/groups"); resp.StatusCode != http.StatusOK || resp.Header.Get("X-Rate-Limit-Limit") != "2" || resp.Header.Get("X-Rate-Limit-Remaining") != want {
			t.Errorf("group list %d: %d, headers %v, want 200 with limit 2, remaining %s", i+1, resp.StatusCode, resp.Header, want)
		}
	}
	resp, body := get("/api/v1/groups")
	reset, _ := strconv.ParseInt(resp.Header.Get("X-Rate-Limit-Reset"), 10, 64)
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, `"errorCode":"E0000047"`) ||
		resp.Header.Get("X-Rate-Limit-Remaining") != "0" || reset < time.Now().Add(50*time.Second).Unix() {
		t.Errorf("third group list: %d %s, headers %v; want 429 E0000047 until the minute's window ends", resp.StatusCode, body, resp.Header)
	}
	if resp, _ := get("/api/v1/users"); resp.StatusCode != http.StatusOK || resp.Header.Get("X-Rate-Limit-Limit") != "600" {
		t.Errorf("user list while groups are limited: %d, headers %v; want 200 from the users bucket", resp.StatusCode, resp.Header)
	}
}

// TestE2EEmulateOktaConcurrencyLimit: `cardflow emulate okta
// --enforce-rate-limits --concurrency-limit 1` answers a request made
// while another is in flight (held by a latency fault) with 429 E0000047
// and X-Rate-Limit-Limit and -Remaining 0, on any endpoint, and serves
// both once the first is answered.
func TestE2EEmulateOktaConcurrencyLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	t.Parallel()
	base, _ := startEmulator(t, "okta", "--listen", "127.0.0.1:0", "--enforce-rate-limits", "--concurrency-limit", "1",
		"--fault", `{"latency": "3s", "path": "/api/v1/groups"}`)
	get := func(path string) (*http.Response, string) {
		req, _ := http.NewRequest("GET", base+path, nil)
		req.Header.Set("Authorization", "SSWS x")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Error(err)
			return nil, ""
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, string(b)
	}
	held := make(chan int, 1)
	start := time.Now()
	go func() {
		resp, _ := get("/api/v1/groups")
		if resp == nil {
			held <- 0
			return
		}
		held <- resp.StatusCode
	}()
	// Probe until the held request is in flight (a probe before it is
	// served at once: the latency holds only group requests). Under -race
	// on a loaded machine the held request took most of a second to reach
	// the emulator, so its latency leaves the probes ample time.
	var (
		resp *http.Response
		body string
	)
	for time.Since(start) < 2800*time.Millisecond {
		if resp, body = get("/api/v1/users"); resp == nil || resp.StatusCode != http.StatusOK {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if resp == nil || resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, `"errorCode":"E0000047"`) ||
		resp.Header.Get("X-Rate-Limit-Limit") != "0" || resp.Header.Get("X-Rate-Limit-Remaining") != "0" {
		t.Fatalf("a request while one is in flight: %v %s; want 429 E0000047 with limit and remaining 0", resp, body)
	}
	if s := <-held; s != http.StatusOK || time.Since(start) < 3*time.Second {
		t.Errorf("held request: %d after %v, want 200 after its 3 s latency", s, time.Since(start))
	}
	if resp, _ := get("/api/v1/users"); resp == nil || resp.StatusCode != http.StatusOK {
		t.Errorf("a request after the first was answered: %v, want 200", resp)
	}
}
