package cli_test

import (
	"context"
	"testing"

	"github.com/cardflow/cardflow/connectors/core"
	"github.com/cardflow/cardflow/engine"
	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/lang"
	"github.com/cardflow/cardflow/engine/store/sqlite"
)

// startEngine opens the SQLite store at db and runs an engine over it with
// the flows in dir and env as its environment, as `cardflow run` would. It
// returns the engine, its store, a context that ends when stop is called,
// and stop, which ends the engine and then closes the store.
func startEngine(t *testing.T, db, dir string, env map[string]string) (*engine.Engine, *sqlite.Store, context.Context, func()) {
	t.Helper()
	st, err := sqlite.Open(db, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	eng := engine.New(engine.Options{
		Registry: connector.NewRegistry(core.Connectors()...),
		Store:    st,
		Paths:    []string{dir},
		Host:     lang.Host{LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok }},
	})
	ctx, cancel := context.WithCancel(context.Background())
	if diags, err := eng.Reload(ctx); err != nil {
		cancel()
		st.Close()
		t.Fatalf("reload: %v %s", err, diags.Error())
	}
	done := make(chan error, 1)
	go func() { done <- eng.Run(ctx) }()
	stop := func() {
		cancel()
		<-done
		st.Close()
	}
	return eng, st, ctx, stop
}
