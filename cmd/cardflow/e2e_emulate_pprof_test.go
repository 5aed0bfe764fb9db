package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestE2EEmulatePprof: with --pprof the emulator serves its profiles under
// /_emulator/debug/pprof/ and answers the API as without; without it, the
// profiles are not served.
func TestE2EEmulatePprof(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	t.Parallel()
	get := func(url, user string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		req.SetBasicAuth(user, "pw")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	on, _ := startEmulator(t, "servicenow", "--pprof", "--user", "admin", "--password", "pw")
	off, _ := startEmulator(t, "servicenow", "--user", "admin", "--password", "pw")
	if code, body := get(on+"/_emulator/debug/pprof/profile?seconds=1", ""); code != http.StatusOK || len(body) == 0 {
		t.Errorf("--pprof: GET profile = %d with %d bytes, want 200 and a profile", code, len(body))
	}
	if code, _ := get(on+"/_emulator/debug/pprof/heap", ""); code != http.StatusOK {
		t.Errorf("--pprof: GET heap = %d, want 200", code)
	}
	if code, _ := get(off+"/_emulator/debug/pprof/heap", ""); code == http.StatusOK {
		t.Error("without --pprof the emulator served a profile")
	}
	// The API behind is untouched, paths as they came (no cleaning).
	for _, path := range []string{"/api/now/table/incident?sysparm_limit=1", "/api/now/table//incident", "/api/now/table/nope"} {
		codeOn, bodyOn := get(on+path, "admin")
		codeOff, bodyOff := get(off+path, "admin")
		if codeOn != codeOff || (codeOn != http.StatusOK && bodyOn != bodyOff) {
			t.Errorf("GET %s: %d %q with --pprof, %d %q without", path, codeOn, strings.TrimSpace(bodyOn), codeOff, strings.TrimSpace(bodyOff))
		}
	}
}
