package engine_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cardflow/cardflow/engine"
	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/lang"
	"github.com/cardflow/cardflow/engine/plan"
	"github.com/cardflow/cardflow/engine/store"
	"golang.org/x/tools/txtar"
)

// tokenHost is fakeHost with another API token.
func tokenHost(token string) lang.Host {
	return lang.Host{LookupEnv: func(k string) (string, bool) {
		if k == "FAKE_TOKEN" {
			return token, true
		}
		return "", false
	}}
}

// legacyStore prepares what a store written by a version of cardflow
// before definition hashes left secrets out holds for an execution of
// flow f: its definition, stored under the hash that version gave it
// (plan.LegacyHash, with token), in that version's snapshot format (the
// sources, then the variable values; no pins), and the execution,
// pending on that hash. It returns the execution's id and the hash.
func legacyStore(t *testing.T, st store.Store, dir, token string, reg *fakeConn) (string, string) {
	t.Helper()
	gen, _, diags := engine.Load([]string{dir}, engine.LoadOptions{Registry: reg.registry(), Mode: lang.Live, Host: tokenHost(token)})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	legacy := plan.LegacyHash(gen.Flows["f"])
	ar := &txtar.Archive{}
	for _, name := range connector.SortedKeys(gen.Config.Sources) {
		ar.Files = append(ar.Files, txtar.File{Name: name, Data: gen.Config.Sources[name]})
	}
	ar.Files = append(ar.Files, txtar.File{Name: "cardflow:vars.json", Data: []byte("{}")})
	ctx := context.Background()
	if err := st.PutDefinition(ctx, legacy, txtar.Format(ar)); err != nil {
		t.Fatal(err)
	}
	payload, _ := json.Marshal(map[string]string{"user": "u1"})
	res, err := st.Enqueue(ctx, []store.Event{{Flow: "f", DedupKey: "legacy", Type: "fake.event", Payload: payload,
		DefinitionHash: legacy, ReceivedAt: time.Now()}}, store.EnqueueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return res[0].ID, legacy
}

// waitFinal waits until execution id is final: one that cannot run on its
// definition ends without an "execution finished" log.
func waitFinal(t *testing.T, st store.Store, id string) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if executionOf(t, st, id).Status.Final() {
			return
		}
	}
	t.Fatalf("execution %s did not end", id)
}

// TestLegacyPinnedExecutions: executions pinned by an earlier version of
// cardflow (hashes that covered the API token) keep working after the
// upgrade. Started once with the settings they began with, this version
// records what their hash is now, and they then run after the token is
// rotated too. One that no start saw with its settings is refused with
// the reason, since which setting changed cannot be told.
func TestLegacyPinnedExecutions(t *testing.T) {
	for _, tc := range []struct {
		name       string
		firstStart bool // a start with the old token before the rotation
		want       store.Status
		wantErr    string
	}{
		{"upgraded, then rotated", true, store.Succeeded, ""},
		{"rotated before the upgrade", false, store.Failed, "pinned by an earlier version of cardflow"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "cardflow.db")
			dir := t.TempDir()
			writeFlows(t, dir, oneCard)
			f := newFakeConn()
			st := openStore(t, "sqlite", db)
			defer st.Close()
			id, legacy := legacyStore(t, st, dir, "old-token", f)
			fin := newFinished()
			opts := func(token string) engine.Options {
				return engine.Options{Registry: f.registry(), Store: st, Paths: []string{dir}, Host: tokenHost(token), Logger: slog.New(fin)}
			}
			if tc.firstStart {
				// The upgrade: this version starts with the same settings.
				// (Reload only: the execution is left for after the rotation.)
				if _, err := engine.New(opts("old-token")).Reload(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
			ctx := context.Background()
			eng := engine.New(opts("rotated-token"))
			if _, err := eng.Reload(ctx); err != nil {
				t.Fatal(err)
			}
			ex := executionOf(t, st, id)
			err := engine.CheckReplay(ctx, st, engine.CheckOptions{Registry: f.registry(), Host: tokenHost("rotated-token")}, ex)
			if (err == nil) != (tc.wantErr == "") || (err != nil && !errors.Is(err, engine.ErrCannotRun)) {
				t.Errorf("CheckReplay: %v, want an ErrCannotRun %v", err, tc.wantErr != "")
			}
			run := start(t, eng)
			waitFinal(t, st, id)
			run.shutdown()
			ex = executionOf(t, st, id)
			if ex.Status != tc.want || !strings.Contains(ex.Error, tc.wantErr) || ex.DefinitionHash != legacy {
				t.Errorf("execution: %s on %s (%q), want %s on %s with %q", ex.Status, ex.DefinitionHash, ex.Error, tc.want, legacy, tc.wantErr)
			}
			if got := f.counts()["a"]; (got == 1) != (tc.want == store.Succeeded) {
				t.Errorf("card a ran %d times", got)
			}
		})
	}
}

// TestRotatedTokenKeepsDefinition: rotating a connection's secret and
// restarting leaves the definition hash as it was, and an execution
// pending on it runs on the new secret.
func TestRotatedTokenKeepsDefinition(t *testing.T) {
	db := filepath.Join(t.TempDir(), "cardflow.db")
	dir := t.TempDir()
	writeFlows(t, dir, oneCard)
	f := newFakeConn()
	st := openStore(t, "sqlite", db)
	defer st.Close()
	ctx := context.Background()
	eng1 := engine.New(engine.Options{Registry: f.registry(), Store: st, Paths: []string{dir}, Host: tokenHost("old-token")})
	if _, err := eng1.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	before := eng1.Generation().Flows["f"].Hash
	// Pending, pinned to the definition, when the process stops.
	id := enqueue(t, eng1, "f", "k1", "u1").ID
	if _, err := st.Claim(ctx, "gone", 1, time.Minute, store.ClaimOptions{Pin: func(string) string { return before }}); err != nil {
		t.Fatal(err)
	}
	if err := st.Release(ctx, "gone", []string{id}); err != nil {
		t.Fatal(err)
	}
	fin := newFinished()
	eng2 := engine.New(engine.Options{Registry: f.registry(), Store: st, Paths: []string{dir}, Host: tokenHost("new-token"), Logger: slog.New(fin)})
	run := start(t, eng2)
	if after := eng2.Generation().Flows["f"].Hash; after != before {
		t.Errorf("definition hash %s after the rotation, %s before", after, before)
	}
	fin.wait(t, id)
	run.shutdown()
	if ex := executionOf(t, st, id); ex.Status != store.Succeeded || ex.DefinitionHash != before {
		t.Errorf("execution: %s on %s (%s), want succeeded on %s", ex.Status, ex.DefinitionHash, ex.Error, before)
	}
}
