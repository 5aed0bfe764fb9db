package cli_test

import (
	"os"
	"strings"
	"testing"

	"github.com/cardflow/cardflow/connectors/core"
	"github.com/cardflow/cardflow/connectors/okta"
	"github.com/cardflow/cardflow/connectors/servicenow"
	"github.com/cardflow/cardflow/engine/connector"
)

// TestConnectorReferenceDoc keeps docs/connectors.md equal to
// what `cardflow docs` prints from the schemas.
func TestConnectorReferenceDoc(t *testing.T) {
	doc, err := os.ReadFile("../../docs/connectors.md")
	if err != nil {
		t.Fatal(err)
	}
	res := run(t, nil, "docs")
	if res.code != 0 || !strings.Contains(res.stdout, "### okta") || !strings.Contains(res.stdout, "**servicenow.create_record**") {
		t.Fatalf("docs:\n%s", res)
	}
	if !strings.Contains(string(doc), strings.TrimSpace(res.stdout)) {
		t.Error("docs/connectors.md is out of date: replace its reference with the output of `cardflow docs`")
	}
	if res := run(t, nil, "docs", "nope"); res.code != 2 {
		t.Errorf("docs of an unknown connector: want exit 2\n%s", res)
	}
}

// TestEveryArgumentHasDoc keeps the reference complete: every argument of
// every connection, trigger and action that cardflow registers has a
// description in `cardflow docs`. Outputs are types without descriptions;
// the actions' and triggers' Docs describe them.
func TestEveryArgumentHasDoc(t *testing.T) {
	reg := connector.NewRegistry(append(core.Connectors(), okta.New(), servicenow.New())...)
	check := func(block string, s connector.Schema) {
		for _, a := range s {
			if strings.TrimSpace(a.Doc) == "" {
				t.Errorf("%s: argument %q has no Doc", block, a.Name)
			}
		}
	}
	n := 0
	for _, name := range reg.Names() {
		c, _ := reg.Connector(name)
		check("connection "+name, c.Connection)
		for _, tr := range c.Triggers {
			check("trigger "+name+"."+tr.Name, tr.Config)
		}
		for _, a := range c.Actions {
			check(name+"."+a.Name, a.Input)
			n++
		}
	}
	if n < 40 {
		t.Errorf("checked %d actions; the registry is missing some", n)
	}
}
