package main

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// editFlow rewrites a flow file the way editors save: a new file renamed
// over the old one (written outside the watched directory, so that the
// change is one event). It fails the test unless old occurs exactly once.
func (e *e2e) editFlow(name, old, new string) {
	e.t.Helper()
	path := filepath.Join(e.flowDir, "onboarding", name)
	data, err := os.ReadFile(path)
	if err != nil {
		e.t.Fatal(err)
	}
	if n := strings.Count(string(data), old); n != 1 {
		e.t.Fatalf("%s: %q occurs %d times, want 1", name, old, n)
	}
	tmp := filepath.Join(e.dir, name+".tmp~")
	if err := os.WriteFile(tmp, []byte(strings.Replace(string(data), old, new, 1)), 0o644); err != nil {
		e.t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		e.t.Fatal(err)
	}
}

// lineOf is the 1-based line of the first occurrence of s in a flow file.
func (e *e2e) lineOf(name, s string) int {
	e.t.Helper()
	data, err := os.ReadFile(filepath.Join(e.flowDir, "onboarding", name))
	if err != nil {
		e.t.Fatal(err)
	}
	i := strings.Index(string(data), s)
	if i < 0 {
		e.t.Fatalf("%s has no %q", name, s)
	}
	return strings.Count(string(data[:i]), "\n") + 1
}

// waitGeneration waits for the health detail to report generation n or
// later (a watcher may see one save as two changes).
func (e *e2e) waitGeneration(n int) healthJSON {
	e.t.Helper()
	var h healthJSON
	eventually(e.t, fmt.Sprintf("generation %d", n), func() bool {
		h = e.health()
		return h.Generation >= n
	})
	return h
}

// approveAndWait runs the approval of a new hire to the closed incident and
// returns the user's groups.
func (e *e2e) approveAndWait(first, last string) []string {
	e.t.Helper()
	user, inc := e.newHire(first, last)
	e.waitExecution("request_approval", user)
	e.approve(inc["sys_id"])
	e.waitIncidentState(inc["sys_id"], "7")
	if pa := e.waitExecution("provision_on_approval", user); pa.Status != "succeeded" {
		e.t.Fatalf("provision_on_approval for %s: %s (%s)", user, pa.Status, pa.Error)
	}
	return sorted(e.groupNames(user))
}

func TestE2EHotReload(t *testing.T) {
	e := newE2E(t)
	e.start()
	if h := e.health(); h.Generation != 1 || h.Status != "ok" {
		t.Fatalf("health at start: generation %d, status %q; want 1, ok", h.Generation, h.Status)
	}
	e.publicHealth(http.StatusOK, "ok")

	// A valid change: the next execution grants the new groups.
	e.editFlow("variables.hcl", `default     = ["Employees", "VPN Users"]`, `default     = ["Employees", "Finance"]`)
	if h := e.waitGeneration(2); h.Status != "ok" || h.LastRejectedReload != nil {
		t.Errorf("health after a valid change: status %q, last_rejected_reload %v; want ok and none", h.Status, h.LastRejectedReload)
	}
	if diff := cmp.Diff([]string{"Employees", "Finance"}, e.approveAndWait("New", "Groups")); diff != "" {
		t.Errorf("groups after the reload (-want +got):\n%s", diff)
	}

	// A broken change: generation 2 keeps running, the health detail says
	// why.
	line := e.lineOf("provision_on_approval.hcl", "okta.add_user_to_group")
	e.editFlow("provision_on_approval.hcl", "okta.add_user_to_group", "okta.add_user_to_grup")
	var h healthJSON
	eventually(t, "a degraded health", func() bool {
		h = e.health()
		return h.Status == "degraded"
	})
	gen := h.Generation
	if gen < 2 {
		t.Errorf("generation %d after a rejected reload, want the valid one (2) to stay", h.Generation)
	}
	// The health detail says where and what (FILE:LINE:COLUMN and the
	// summary), never the line itself, which may hold a pasted secret, nor
	// the detail, which may quote it. The public /healthz says degraded,
	// no more.
	where := regexp.MustCompile(fmt.Sprintf(`provision_on_approval\.hcl:%d:\d+: Unknown action`, line))
	if h.LastRejectedReload == nil || !where.MatchString(h.LastRejectedReload.Diagnostics) ||
		strings.Contains(h.LastRejectedReload.Diagnostics, "add_user_to_grup") {
		t.Errorf("last_rejected_reload = %+v, want the summary at %s and nothing of the line", h.LastRejectedReload, where)
	}
	e.publicHealth(http.StatusOK, "degraded")
	// The log says how to fix it (the detail), still without the line. The
	// record is written just after the health turns degraded.
	var logged string
	eventually(t, "the rejected reload's log record", func() bool {
		for _, r := range e.cur.out.records() {
			if strings.HasPrefix(fmt.Sprint(r["msg"]), "reload rejected: the running flows stay") {
				logged = fmt.Sprint(r["diagnostics"])
			}
		}
		return logged != ""
	})
	if !strings.Contains(logged, `Did you mean "okta.add_user_to_group"?`) || strings.Contains(logged, "action     =") {
		t.Errorf("the rejected reload's log record has diagnostics %q, want the detail suggesting add_user_to_group and no source line", logged)
	}
	if n := e.metric("cardflow_reloads_total", `result="rejected"`); n < 1 {
		t.Errorf("cardflow_reloads_total rejected = %v, want at least 1", n)
	}
	if diff := cmp.Diff([]string{"Employees", "Finance"}, e.approveAndWait("Still", "Running")); diff != "" {
		t.Errorf("groups while the files are broken (-want +got):\n%s", diff)
	}

	// Fixed: a new generation, the diagnostics are gone.
	e.editFlow("provision_on_approval.hcl", "okta.add_user_to_grup", "okta.add_user_to_group")
	if h := e.waitGeneration(gen + 1); h.Status != "ok" || h.LastRejectedReload != nil {
		t.Errorf("health after the fix: status %q, last_rejected_reload %+v; want ok and none", h.Status, h.LastRejectedReload)
	}
	if diff := cmp.Diff([]string{"Employees", "Finance"}, e.approveAndWait("Fixed", "Again")); diff != "" {
		t.Errorf("groups after the fix (-want +got):\n%s", diff)
	}
}

// An execution half-way through when its flow changes finishes on the
// definition it started with; the next one uses the new definition.
func TestE2EPinnedDefinition(t *testing.T) {
	e := newE2E(t)
	e.start()

	user, inc := e.newHire("Pin", "Ned")
	e.waitExecution("request_approval", user)
	// Hold the first group membership so that the execution is half-way
	// when the file changes.
	e.okta.Inject(oktaLatency("PUT", "/api/v1/groups/", slow))
	e.approve(inc["sys_id"])
	eventually(t, "a group PUT in flight", func() bool {
		return e.oktaLog.count(inFlight("PUT", "/api/v1/groups/")) >= 1
	})
	id := e.waitRunning("provision_on_approval", user)
	oldHash := e.execution(id).DefinitionHash
	e.editFlow("provision_on_approval.hcl", `close_code  = var.close_code`, `close_code  = "Workaround provided"`)
	e.waitGeneration(2)

	closed := e.waitIncidentState(inc["sys_id"], "7")
	ex := e.waitExecution("provision_on_approval", user)
	if ex.Status != "succeeded" || ex.DefinitionHash != oldHash {
		t.Errorf("the half-way execution: %s on %s, want succeeded on the old definition %s", ex.Status, ex.DefinitionHash, oldHash)
	}
	if closed["close_code"] != "Solution provided" {
		t.Errorf("the half-way execution closed with %q, want the old definition's %q", closed["close_code"], "Solution provided")
	}

	user2, inc2 := e.newHire("Next", "One")
	e.waitExecution("request_approval", user2)
	e.approve(inc2["sys_id"])
	closed2 := e.waitIncidentState(inc2["sys_id"], "7")
	if closed2["close_code"] != "Workaround provided" {
		t.Errorf("the next execution closed with %q, want the new definition's %q", closed2["close_code"], "Workaround provided")
	}
	if ex2 := e.waitExecution("provision_on_approval", user2); ex2.DefinitionHash == oldHash {
		t.Errorf("the next execution ran on the old definition %s", oldHash)
	}
}

// With the watcher off, a change is picked up on SIGHUP only.
func TestE2EReloadOnSIGHUP(t *testing.T) {
	e := newE2E(t)
	e.extraArgs = []string{"--watch=false"}
	e.start()

	e.editFlow("variables.hcl", `default     = ["Employees", "VPN Users"]`, `default     = ["Employees", "Finance"]`)
	// Not reloaded yet: a poll of ServiceNow later, still generation 1.
	e.waitPolls(1)
	if h := e.health(); h.Generation != 1 {
		t.Fatalf("generation %d with --watch=false and no SIGHUP, want 1", h.Generation)
	}
	e.cur.signal(syscall.SIGHUP)
	e.waitGeneration(2)
	if diff := cmp.Diff([]string{"Employees", "Finance"}, e.approveAndWait("Hup", "Reload")); diff != "" {
		t.Errorf("groups after SIGHUP (-want +got):\n%s", diff)
	}
}
