package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/cardflow/cardflow/engine/server"
)

// TestE2ESensitiveFailedExecutionIsNotReplayed fails an Okta password
// import on the built binary (the legacy directory refuses every call) and
// replays it the way an operator would, without --force: the admin API
// answers 409 and `cardflow replay` exits 1, both with the reason naming
// the sensitive field the stored event lacks, and neither queues the
// execution: it keeps its status, error and journal, and the directory is
// not called again with the placeholder as the password.
func TestE2ESensitiveFailedExecutionIsNotReplayed(t *testing.T) {
	e := newE2E(t)
	var calls atomic.Int32
	legacy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		http.Error(w, "directory refuses", http.StatusBadRequest)
	}))
	t.Cleanup(legacy.Close)
	if err := os.WriteFile(filepath.Join(e.flowDir, "password_import.hcl"), []byte(e2eSensitiveFlows), 0o644); err != nil {
		t.Fatal(err)
	}
	e.extraArgs = []string{"--var", "endpoint_token=e2e-endpoint-token", "--var", "legacy_url=" + legacy.URL}
	e.start()

	a := e.invokeReply("password_import", passwordImportBody(importUser, importPassword, ""), nil)
	id := a.header.Get(server.ExecutionHeader)
	if a.status != http.StatusInternalServerError || id == "" {
		t.Fatalf("a call the directory refuses: %d %q; want 500 with the execution id", a.status, a.body)
	}
	failed := e.waitFinished(id)
	if failed.Status != "failed" || !strings.Contains(failed.Error, "directory refuses") || calls.Load() != 1 {
		t.Fatalf("the execution is %s (%q) after %d calls; want failed at verify after 1", failed.Status, failed.Error, calls.Load())
	}
	// unchanged fails the test when the execution is no longer as it
	// failed: a queued replay reopens it (pending), and once run it fails
	// again with another error and another claim.
	unchanged := func(after string) {
		t.Helper()
		got := e.execution(id)
		if got.Status != failed.Status || got.Error != failed.Error || got.Claims != failed.Claims || len(got.Cards) != len(failed.Cards) {
			t.Errorf("after %s the execution is %s (%q), %d claims, %d journal entries; want %s (%q), %d, %d as it failed",
				after, got.Status, got.Error, got.Claims, len(got.Cards), failed.Status, failed.Error, failed.Claims, len(failed.Cards))
		}
	}

	const why = "trigger field data.context.credential.password is sensitive and was not stored: this execution cannot be resumed or replayed"
	resp, err := http.Post(e.adminURL("/api/v1/executions/"+id+"/replay"), "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusConflict || !strings.Contains(string(body), why) {
		t.Errorf("POST replay: %d %s; want 409 with %q", resp.StatusCode, body, why)
	}
	unchanged("the API's refused replay")

	stdout, stderr, code := cardflowCmd(t, e.environ(), "replay", id, "--db", e.db)
	if code != 1 || !strings.Contains(stderr, "execution "+id+" is not replayed: "+why) || stdout != "" {
		t.Errorf("cardflow replay: exit %d\n-- stdout --\n%s-- stderr --\n%s; want exit 1, the reason on stderr, nothing on stdout", code, stdout, stderr)
	}
	unchanged("cardflow replay's refusal")
	if n := calls.Load(); n != 1 {
		t.Errorf("the directory was called %d times; want once, by the execution before the replays", n)
	}
}
