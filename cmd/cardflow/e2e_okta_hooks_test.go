package main

import (
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const hooksConnection = `
connection "okta" "main" {
  org_url           = env("OKTA_ORG_URL")
  token             = env("OKTA_API_TOKEN")
  event_hook_secret = env("OKTA_EVENT_HOOK_SECRET")
  manage_event_hook = true
  public_url        = env("CARDFLOW_PUBLIC_URL")
}
`

const hooksCreatedFlow = `
flow "on_create" {
  trigger "okta.event_hook" {
    connection  = connection.okta.main
    event_types = ["user.lifecycle.create"]
  }
  card "read" {
    action     = okta.read_user
    connection = connection.okta.main
    user       = trigger.user.id
  }
}
`

const hooksMembershipFlow = `
flow "on_join" {
  trigger "okta.event_hook" {
    connection  = connection.okta.main
    event_types = ["group.user_membership.add"]
  }
  card "group" {
    action     = okta.read_group
    connection = connection.okta.main
    group      = trigger.group.id
  }
}
`

// hookStatusJSON is `cardflow okta hooks status --format json`.
type hookStatusJSON struct {
	Hooks []struct {
		Found        bool     `json:"found"`
		Name         string   `json:"name"`
		Verification string   `json:"verification_status"`
		Subscribed   []string `json:"subscribed"`
		Missing      []string `json:"missing"`
	} `json:"hooks"`
}

// TestE2EManagedEventHook: with manage_event_hook, `cardflow run` creates
// the event hook in the Okta emulator, Okta verifies it and delivers to it,
// a reload that adds a flow on a new event type updates the subscription,
// and `cardflow okta hooks status` reports each step.
func TestE2EManagedEventHook(t *testing.T) {
	if testing.Short() || cardflowBin == "" {
		t.Skip("end-to-end")
	}
	t.Parallel()
	oktaURL, _ := startEmulator(t, "okta", "--listen", "127.0.0.1:0", "--token", "dev-token")
	dir := t.TempDir()
	flows := filepath.Join(dir, "flows")
	if err := os.MkdirAll(flows, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(flows, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("connections.hcl", hooksConnection)
	write("on_create.hcl", hooksCreatedFlow)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	env := []string{"OKTA_ORG_URL=" + oktaURL, "OKTA_API_TOKEN=dev-token", "OKTA_EVENT_HOOK_SECRET=e2e-hook-secret",
		"CARDFLOW_PUBLIC_URL=http://" + addr, "NO_COLOR=1"}
	for _, k := range []string{"PATH", "HOME", "TMPDIR"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	status := func() (hookStatusJSON, int) {
		cmd := exec.Command(cardflowBin, "okta", "hooks", "status", flows, "--format", "json")
		cmd.Env = env
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		var st hookStatusJSON
		if err := json.Unmarshal(out.Bytes(), &st); err != nil || len(st.Hooks) != 1 {
			t.Fatalf("hooks status: %v\n%s\n%s", err, out.String(), errOut.String())
		}
		return st, code
	}
	if st, code := status(); code != 1 || st.Hooks[0].Found {
		t.Fatalf("before run: exit %d, %+v; want no hook and exit 1", code, st)
	}

	// --admin-listen on a free port: the default, 127.0.0.1:9090, is
	// often taken by a cardflow run or console of the developer's.
	p := startProcess(t, []string{"run", flows, "--listen", addr, "--admin-listen", "127.0.0.1:0", "--db", filepath.Join(dir, "cardflow.db")}, env)
	t.Cleanup(func() { _ = p.terminate(waitFor) })
	if _, err := p.waitServing(waitFor); err != nil {
		t.Fatalf("cardflow run: %v\n%s", err, p.out)
	}
	eventually(t, "the hook created and verified", func() bool {
		st, code := status()
		h := st.Hooks[0]
		return code == 0 && h.Found && h.Name == "cardflow-main" && h.Verification == "VERIFIED" &&
			strings.Join(h.Subscribed, ",") == "user.lifecycle.create"
	})
	post(t, oktaURL+"/api/v1/users?activate=true", `{"profile":{"login":"hook.e2e@acme.example","email":"hook.e2e@acme.example","firstName":"Hook","lastName":"Test"}}`)
	eventually(t, "on_create ran on the delivered event", func() bool { return finishedOK(p, "on_create") })

	write("on_join.hcl", hooksMembershipFlow)
	eventually(t, "the reload subscribed the hook to the new event type", func() bool {
		st, _ := status()
		return strings.Join(st.Hooks[0].Subscribed, ",") == "group.user_membership.add,user.lifecycle.create" &&
			len(st.Hooks[0].Missing) == 0
	})
	post(t, oktaURL+"/api/v1/groups", `{"profile":{"name":"Hookers"}}`)
	var groups []struct{ ID string }
	getInto(t, oktaURL+"/api/v1/groups?q=Hookers", &groups)
	req, _ := http.NewRequest(http.MethodPut, oktaURL+"/api/v1/groups/"+groups[0].ID+"/users/hook.e2e@acme.example", nil)
	req.Header.Set("Authorization", "SSWS dev-token")
	if code := httpStatus(t, req); code != http.StatusNoContent {
		t.Fatalf("add to group: HTTP %d", code)
	}
	eventually(t, "on_join ran with trigger.group", func() bool { return finishedOK(p, "on_join") })
	if strings.Contains(p.out.String(), "e2e-hook-secret") {
		t.Error("the hook secret is in cardflow's log")
	}
}

func finishedOK(p *process, flow string) bool {
	for _, rec := range p.out.records() {
		if rec["msg"] == "execution finished" && rec["flow"] == flow && rec["status"] == "succeeded" {
			return true
		}
	}
	return false
}

func post(t *testing.T, url, body string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Authorization", "SSWS dev-token")
	req.Header.Set("Content-Type", "application/json")
	if code := httpStatus(t, req); code != http.StatusOK {
		t.Fatalf("POST %s: HTTP %d", url, code)
	}
}

func getInto(t *testing.T, url string, v any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Authorization", "SSWS dev-token")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}
