package cli_test

import (
	"os"
	"strings"
	"testing"
)

// TestReadmeConnectorReference keeps README's connector reference equal to
// what `cardflow docs` prints from the schemas.
func TestReadmeConnectorReference(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	res := run(t, nil, "docs")
	if res.code != 0 || !strings.Contains(res.stdout, "### okta") || !strings.Contains(res.stdout, "**servicenow.create_record**") {
		t.Fatalf("docs:\n%s", res)
	}
	if !strings.Contains(string(readme), strings.TrimSpace(res.stdout)) {
		t.Error("README.md's connector reference is out of date: replace it with the output of `cardflow docs`")
	}
	if res := run(t, nil, "docs", "nope"); res.code != 2 {
		t.Errorf("docs of an unknown connector: want exit 2\n%s", res)
	}
}
