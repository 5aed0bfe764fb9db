package engine_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cardflow/cardflow/engine"
	"github.com/cardflow/cardflow/engine/lang"
	"github.com/cardflow/cardflow/engine/store"
	"github.com/cardflow/cardflow/engine/store/memory"
)

// TestConsoleRefusesReplayOfUnstoredSensitiveField: the console refuses,
// up front as the admin API does, an unforced replay of a cancelled
// execution whose stored event lacks a sensitive field's value, rather
// than queue a run that fails before its first card.
func TestConsoleRefusesReplayOfUnstoredSensitiveField(t *testing.T) {
	dir := t.TempDir()
	src := `
flow "password_import" {
  trigger "http.endpoint" {
    token     = env("ENDPOINT_TOKEN")
    sensitive = ["password"]
  }
  card "done" {
    action = flow.return
    result = { ok = true }
  }
}
`
	if err := os.WriteFile(filepath.Join(dir, "flows.hcl"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	st := memory.New()
	defer st.Close()
	e := engine.New(engine.Options{
		Registry: engineRegistry(), Store: st, Paths: []string{dir}, Owner: "test",
		Host: lang.Host{LookupEnv: func(k string) (string, bool) { return endpointToken, k == "ENDPOINT_TOKEN" }},
	})
	ctx := context.Background()
	if _, err := e.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	res, err := st.Enqueue(ctx, []store.Event{{Flow: "password_import", DedupKey: "k1", Type: "http.endpoint",
		Payload: []byte(`{"method":"POST","headers":{},"query":{},"body":{"password":"(sensitive)"}}`), ReceivedAt: time.Now()}},
		store.EnqueueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	id := res[0].ID
	if err := st.Cancel(ctx, id, "test"); err != nil {
		t.Fatal(err)
	}
	err = (&engine.ConsoleSource{Store: st, Engine: e}).Replay(ctx, id, "", false)
	if err == nil || !strings.Contains(err.Error(), "not replayed") || !strings.Contains(err.Error(), "password is sensitive") {
		t.Errorf("console replay of a cancelled execution without its sensitive field: %v, want it refused with the reason", err)
	}
}
