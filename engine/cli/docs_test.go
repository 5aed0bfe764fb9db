package cli_test

import (
	"os"
	"strings"
	"testing"
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
