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

// TestStoreNameHidesPasswordParameters: a password given as a parameter
// of the --store URL (?password=, which the PostgreSQL driver takes) is
// hidden as the URL's own password is, in the error that names the store.
func TestStoreNameHidesPasswordParameters(t *testing.T) {
	for _, url := range []string{
		"postgres://cardflow@127.0.0.1:1/cardflow?sslmode=disable&password=S3cretPassw0rd",
		"postgres://cardflow@127.0.0.1:1/cardflow?Password=S3cretPassw0rd&sslmode=disable",
		"postgres://cardflow:S3cretPassw0rd@127.0.0.1:1/cardflow?sslpassword=S3cretPassw0rd",
	} {
		res := run(t, nil, "history", "--store", url)
		if res.code != cli.ExitProblem || !strings.Contains(res.stderr, "opening the store postgres://cardflow") {
			t.Errorf("%s: want exit %d naming the store:\n%s", url, cli.ExitProblem, res)
		}
		if strings.Contains(res.stderr, "S3cretPassw0rd") {
			t.Errorf("the error shows the password:\n%s", res.stderr)
		}
		if !strings.Contains(res.stderr, "xxxxx") {
			t.Errorf("the error does not mark the hidden password:\n%s", res.stderr)
		}
	}
}
