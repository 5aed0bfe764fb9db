package engine_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cardflow/cardflow/engine"
	"github.com/cardflow/cardflow/engine/lang"
	"github.com/cardflow/cardflow/engine/store/memory"
)

// TestRejectedReloadHidesTheSource pastes a secret into a flow file: the
// reload is rejected, and neither the health detail's diagnostics nor the
// log show the line that holds it, only where the problem is and what it
// is.
func TestRejectedReloadHidesTheSource(t *testing.T) {
	const pasted = "pasted-SECRET-b64+key=="
	dir := t.TempDir()
	write := func(name, src string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("ok.hcl", `flow "ok" {
  trigger "http.endpoint" {
    token = env("ENDPOINT_TOKEN")
  }
  card "c" {
    action = text.compose
    text   = "x"
  }
}
`)
	var logs bytes.Buffer
	e := loadedEngine(t, dir, &logs, "t0ken-value")
	write("pasted.hcl", `flow "pasted" {
  trigger "http.endpoint" {
    token = "`+pasted+`"
  }
  card "c" {
    action = text.compose
    text   = "x"
  }
}
`)
	if _, err := e.Reload(context.Background()); err == nil {
		t.Fatal("a literal secret was accepted")
	}
	b, err := json.Marshal(e.Health().Detail)
	if err != nil {
		t.Fatal(err)
	}
	var h struct {
		Rejected struct {
			Diagnostics string `json:"diagnostics"`
		} `json:"last_rejected_reload"`
	}
	if err := json.Unmarshal(b, &h); err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(dir, "pasted.hcl") + ":3:13: Literal secret"
	if h.Rejected.Diagnostics != want {
		t.Errorf("health detail diagnostics = %q, want %q", h.Rejected.Diagnostics, want)
	}
	for what, text := range map[string]string{"the health detail": string(b), "the log": logs.String()} {
		if strings.Contains(text, "pasted-SECRET") {
			t.Errorf("%s shows the pasted secret:\n%s", what, text)
		}
	}
	if !strings.Contains(logs.String(), "Literal secret") {
		t.Errorf("the log does not say why the reload was rejected:\n%s", logs.String())
	}
}

// TestReloadLogsWarnings: warnings do not reject a reload, but cardflow
// run is where a flow that passed no validate shows up first, so each
// reload logs them (where, what, the hint), without the source line.
func TestReloadLogsWarnings(t *testing.T) {
	const dir = "../testdata/warnings"
	var logs bytes.Buffer
	loadedEngine(t, dir, &logs, "value")
	var warned struct {
		Level, Msg, Warnings string
	}
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		if err := json.Unmarshal([]byte(line), &warned); err == nil && warned.Level == "WARN" {
			break
		}
		warned.Level = ""
	}
	want := filepath.Join(dir, "open.hcl") + `:12:20: Unknown ServiceNow field: The incident table has no field "short_descripton". Did you mean "short_description"?`
	if warned.Level != "WARN" || !strings.HasPrefix(warned.Warnings, want) {
		t.Errorf("the reload logged no warning starting %q:\n%s", want, logs.String())
	}
	if strings.Contains(logs.String(), `= \"hello\"`) {
		t.Errorf("the log shows the source line:\n%s", logs.String())
	}
}

// loadedEngine returns an engine on the flows in dir, on a memory store,
// logging JSON to logs, every env() reading env, after its first Reload.
func loadedEngine(t *testing.T, dir string, logs *bytes.Buffer, env string) *engine.Engine {
	t.Helper()
	st := memory.New()
	t.Cleanup(func() { st.Close() })
	e := engine.New(engine.Options{
		Registry: engineRegistry(), Store: st, Paths: []string{dir}, Owner: "test",
		Logger: slog.New(slog.NewJSONHandler(logs, nil)),
		Host:   lang.Host{LookupEnv: func(string) (string, bool) { return env, true }},
	})
	if diags, err := e.Reload(context.Background()); err != nil {
		t.Fatalf("Reload: %v %s", err, diags.Error())
	}
	return e
}
