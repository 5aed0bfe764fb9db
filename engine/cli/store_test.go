package cli_test

import (
	"context"
	"strings"
	"testing"

	"github.com/cardflow/cardflow/engine/cli"
	"github.com/cardflow/cardflow/engine/store"
	"github.com/cardflow/cardflow/engine/store/postgres"
	"github.com/cardflow/cardflow/engine/store/postgres/pgtest"
)

func TestStoreFlagRefusesOtherURLs(t *testing.T) {
	for _, args := range [][]string{
		{"history", "--store", "mysql://u:secret@db/cardflow"},
		{"show", "ex_1", "--store", "cardflow.db"},
		{"replay", "ex_1", "--store", "sqlite:///tmp/x"},
	} {
		res := run(t, nil, args...)
		if res.code != cli.ExitUsage || !strings.Contains(res.stderr, "--store takes a postgres:// URL") {
			t.Errorf("%v:\n%s", args, res)
		}
		if strings.Contains(res.stderr, "secret") {
			t.Errorf("%v printed the password:\n%s", args, res)
		}
	}
}

// TestStoreFlagPostgres: history, show and replay read the PostgreSQL
// store --store or CARDFLOW_STORE names.
func TestStoreFlagPostgres(t *testing.T) {
	dsn, schema := pgtest.Schema(t)
	url := dsn + "&search_path=" + schema
	if !strings.Contains(dsn, "?") {
		url = dsn + "?search_path=" + schema
	}
	st, err := postgres.Open(context.Background(), url, postgres.Options{NoListen: true})
	if err != nil {
		t.Fatal(err)
	}
	res, err := st.Enqueue(t.Context(), []store.Event{{Flow: "onboarding", DedupKey: "evt-1", Type: "user.lifecycle.create"}}, store.EnqueueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	id := res[0].ID
	if err := st.Finish(t.Context(), id, store.Failed, nil, "card incident: 500"); err != nil {
		t.Fatal(err)
	}
	st.Close()

	hist := run(t, nil, "history", "--store", url)
	if hist.code != 0 || !strings.Contains(hist.stdout, id) || !strings.Contains(hist.stdout, "failed") {
		t.Errorf("history --store:\n%s", hist)
	}
	show := run(t, []string{"CARDFLOW_STORE=" + url}, "show", id)
	if show.code != 0 || !strings.Contains(show.stdout, "card incident: 500") {
		t.Errorf("show with CARDFLOW_STORE:\n%s", show)
	}
	if miss := run(t, nil, "show", "ex_nope", "--store", url); miss.code != cli.ExitFailed || !strings.Contains(miss.stderr, "no execution ex_nope") {
		t.Errorf("show of an unknown execution:\n%s", miss)
	}
	if rp := run(t, nil, "replay", id, "--store", url); rp.code != 0 {
		t.Errorf("replay --store:\n%s", rp)
	}
	if hist := run(t, nil, "history", "--store", url, "--status", "pending"); !strings.Contains(hist.stdout, id) {
		t.Errorf("the replayed execution is not pending again:\n%s", hist)
	}
}
