package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// startEmulator runs `cardflow emulate` and returns its base URL, read from
// the line it prints, and a function that stops it with SIGTERM and
// returns how it exited.
func startEmulator(t *testing.T, args ...string) (string, func() error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	cmd := exec.CommandContext(ctx, cardflowBin, append([]string{"emulate"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		cancel()
		_ = cmd.Wait()
		t.Fatalf("emulate printed no address: %v", err)
	}
	i := strings.Index(line, "http://")
	if i < 0 {
		t.Fatalf("emulate printed %q, want its address", line)
	}
	stopped := false
	stop := func() error {
		stopped = true
		_ = cmd.Process.Signal(syscall.SIGTERM)
		go func() { _, _ = io.Copy(io.Discard, stdout) }()
		err := cmd.Wait()
		cancel()
		return err
	}
	t.Cleanup(func() {
		if !stopped {
			_ = stop()
		}
	})
	return strings.TrimSpace(line[i:]), stop
}

func httpStatus(t *testing.T, req *http.Request) int {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// TestE2EEmulateOkta: the standalone Okta emulator serves the seed, checks
// the token and stops cleanly on SIGTERM.
func TestE2EEmulateOkta(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	t.Parallel()
	seed := filepath.Join(t.TempDir(), "seed.json")
	if err := os.WriteFile(seed, []byte(`{"users": [{"profile": {"login": "per.olsen@acme.example", "email": "per.olsen@acme.example", "firstName": "Per", "lastName": "Olsen"}}], "groups": [{"name": "Employees"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	base, stop := startEmulator(t, "okta", "--listen", "127.0.0.1:0", "--seed", seed, "--token", "dev-token")
	get := func(path, auth string) int {
		req, _ := http.NewRequest("GET", base+path, nil)
		req.Header.Set("Authorization", auth)
		return httpStatus(t, req)
	}
	if got := get("/api/v1/users/per.olsen@acme.example", "SSWS dev-token"); got != http.StatusOK {
		t.Errorf("GET the seeded user: HTTP %d", got)
	}
	if got := get("/api/v1/users/per.olsen@acme.example", "SSWS wrong"); got != http.StatusUnauthorized {
		t.Errorf("wrong token: HTTP %d, want 401", got)
	}
	if got := get("/api/v1/users/nobody@acme.example", "SSWS dev-token"); got != http.StatusNotFound {
		t.Errorf("unknown user: HTTP %d, want 404", got)
	}
	if err := stop(); err != nil {
		t.Errorf("emulate did not stop cleanly on SIGTERM: %v", err)
	}
}

// TestE2EEmulateServiceNow: the standalone ServiceNow emulator checks basic
// auth and serves the Table API; it refuses non-loopback addresses.
func TestE2EEmulateServiceNow(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	t.Parallel()
	base, stop := startEmulator(t, "servicenow", "--listen", "127.0.0.1:0", "--user", "svc.cardflow", "--password", "pw")
	get := func(user, pass string) int {
		req, _ := http.NewRequest("GET", base+"/api/now/table/incident?sysparm_limit=1", nil)
		req.SetBasicAuth(user, pass)
		return httpStatus(t, req)
	}
	if got := get("svc.cardflow", "pw"); got != http.StatusOK {
		t.Errorf("GET incidents: HTTP %d", got)
	}
	if got := get("svc.cardflow", "nope"); got != http.StatusUnauthorized {
		t.Errorf("wrong password: HTTP %d, want 401", got)
	}
	if err := stop(); err != nil {
		t.Errorf("emulate did not stop cleanly on SIGTERM: %v", err)
	}

	out, err := exec.Command(cardflowBin, "emulate", "servicenow", "--listen", "0.0.0.0:0").CombinedOutput()
	var ee *exec.ExitError
	if err == nil || !asExit(err, &ee) || ee.ExitCode() != 2 || !strings.Contains(string(out), "loopback") {
		t.Errorf("a non-loopback address must be refused with exit 2: %v\n%s", err, out)
	}
}

func asExit(err error, target **exec.ExitError) bool {
	ee, ok := err.(*exec.ExitError)
	if ok {
		*target = ee
	}
	return ok
}
