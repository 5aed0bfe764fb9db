package emulator_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/okta/okta-sdk-golang/v2/okta"

	"github.com/cardflow/cardflow/connectors/okta/emulator"
)

func TestRateLimitFaultHonoursReset(t *testing.T) {
	o := newOrg(t, emulator.Options{}, okta.WithRateLimitMaxRetries(1), okta.WithRateLimitMaxBackOff(5))
	u := o.createUser(t, "rl@x.com", true)
	o.emu.Inject(emulator.Fault{Method: "GET", PathPrefix: "/api/v1/users", Status: 429, ResetAfter: time.Second})
	before := o.emu.Requests()
	start := time.Now()
	got, _, err := o.client.User.GetUser(o.ctx, u.Id)
	if err != nil {
		t.Fatalf("GetUser with one retry: %v", err)
	}
	if got.Id != u.Id {
		t.Errorf("got %s", got.Id)
	}
	if el := time.Since(start); el < time.Second {
		t.Errorf("succeeded after %v: the SDK did not wait for the reset", el)
	}
	if n := o.emu.Requests() - before; n != 2 {
		t.Errorf("requests = %d, want 2 (the 429 and one retry after the reset)", n)
	}
}

func TestRateLimitFaultWithoutRetries(t *testing.T) {
	o := newOrg(t, emulator.Options{})
	o.emu.Inject(emulator.Fault{PathPrefix: "/api/v1/users", Status: 429, ResetAfter: 30 * time.Second})
	if _, _, err := o.client.User.ListUsers(o.ctx, nil); err == nil {
		t.Fatal("ListUsers succeeded through an injected 429")
	}
	// Until the reset every matching request is limited, without using Count.
	resp := doRaw(t, o, "GET", "/api/v1/users", "SSWS x")
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("status %d, want 429", resp.StatusCode)
	}
	var body struct{ ErrorCode, ErrorSummary string }
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if body.ErrorCode != "E0000047" || body.ErrorSummary != "API call exceeded rate limit due to too many requests." {
		t.Errorf("body = %+v", body)
	}
	reset, err := strconv.ParseInt(resp.Header.Get("X-Rate-Limit-Reset"), 10, 64)
	if err != nil || reset < time.Now().Add(29*time.Second).Unix() {
		t.Errorf("X-Rate-Limit-Reset = %q, want about now+30s", resp.Header.Get("X-Rate-Limit-Reset"))
	}
	if resp.Header.Get("X-Rate-Limit-Remaining") != "0" || resp.Header.Get("Date") == "" {
		t.Errorf("headers = %v", resp.Header)
	}
	// Other paths are not limited.
	if resp := doRaw(t, o, "GET", "/api/v1/groups", "SSWS x"); resp.StatusCode != http.StatusOK {
		t.Errorf("groups: %d", resp.StatusCode)
	}
	o.emu.ClearFaults()
	if _, _, err := o.client.User.ListUsers(o.ctx, nil); err != nil {
		t.Errorf("after ClearFaults: %v", err)
	}
}

func TestServerErrorAndLatencyFaults(t *testing.T) {
	o := newOrg(t, emulator.Options{})
	o.emu.Inject(emulator.Fault{Method: "POST", PathPrefix: "/api/v1/groups", Status: 500, Count: 2})
	for range 2 {
		_, resp, err := o.client.Group.CreateGroup(o.ctx, okta.Group{Profile: &okta.GroupProfile{Name: "G"}})
		wantOktaError(t, resp, err, http.StatusInternalServerError, "E0000009")
	}
	if _, _, err := o.client.Group.ListGroups(o.ctx, nil); err != nil {
		t.Errorf("GET is not matched by a POST fault: %v", err)
	}
	if _, _, err := o.client.Group.CreateGroup(o.ctx, okta.Group{Profile: &okta.GroupProfile{Name: "G"}}); err != nil {
		t.Errorf("third create after Count=2: %v", err)
	}

	o.emu.Inject(emulator.Fault{PathPrefix: "/api/v1/groups", Latency: 200 * time.Millisecond})
	start := time.Now()
	if _, _, err := o.client.Group.ListGroups(o.ctx, nil); err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el < 200*time.Millisecond {
		t.Errorf("latency fault: answered in %v", el)
	}
}

// A fault with Until is an outage: every matching request fails until then,
// whatever Count says.
func TestFaultUntil(t *testing.T) {
	o := newOrg(t, emulator.Options{})
	o.emu.Inject(emulator.Fault{PathPrefix: "/api/v1/groups", Status: 503, Until: time.Now().Add(300 * time.Millisecond)})
	for i := range 4 {
		if resp := doRaw(t, o, "GET", "/api/v1/groups", "SSWS x"); resp.StatusCode != http.StatusServiceUnavailable {
			t.Fatalf("request %d during the outage: %d", i, resp.StatusCode)
		}
	}
	time.Sleep(300 * time.Millisecond)
	if resp := doRaw(t, o, "GET", "/api/v1/groups", "SSWS x"); resp.StatusCode != http.StatusOK {
		t.Errorf("after the outage: %d", resp.StatusCode)
	}
}

// Drop resets the connection instead of answering.
func TestDropFault(t *testing.T) {
	o := newOrg(t, emulator.Options{})
	o.emu.Inject(emulator.Fault{PathPrefix: "/api/v1/groups", Drop: true})
	req, _ := http.NewRequest("GET", o.srv.URL+"/api/v1/groups", nil)
	req.Header.Set("Authorization", "SSWS x")
	req.Header.Set("Connection", "close")
	if resp, err := o.srv.Client().Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("got %d, want a reset connection", resp.StatusCode)
	}
	if resp := doRaw(t, o, "GET", "/api/v1/groups", "SSWS x"); resp.StatusCode != http.StatusOK {
		t.Errorf("after the dropped request: %d", resp.StatusCode)
	}
}
