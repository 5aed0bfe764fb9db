package importer_test

import (
	"os"
	"strings"
	"testing"
)

// TestFilterCustom: Filter (Custom) calls its flow for each item and keeps
// the items the flow returns true for, in order; equal items are each
// asked and each kept, as Okta Workflows keeps them. The card's other
// inputs reach the flow by name.
func TestFilterCustom(t *testing.T) {
	res := importFile(t, "filter-custom.flopack")
	data, err := os.ReadFile("testdata/import/filter-custom.flopack")
	if err != nil {
		t.Fatal(err)
	}
	checkReport(t, "filter-custom", res)
	checkEveryCard(t, "filter-custom", data, res)
	src := string(res.Files["keep_users.hcl"])
	for _, w := range []string{
		"for_each = { for i, x in trigger.input.users : tostring(i) => x }",
		"kept = [for i, x in trigger.input.users : x if card.filter_custom[tostring(i)].result.valid]",
		"minimum = 2",
	} {
		if !strings.Contains(src, w) {
			t.Errorf("keep_users.hcl lacks %s:\n%s", w, src)
		}
	}
	runImported(t, res, `
run "Filter keeps the items its flow returns true for" {
  flow = flow.keep_users
  trigger = { input = { users = [
    { login = "kari", keep = true },
    { login = "ola", keep = false },
    { login = "kari", keep = true },
  ] } }
  expect_call "card.filter_custom" { count = 3 }
  expect_call "card.return" {
    with = { result = { kept = [{ login = "kari", keep = true }, { login = "kari", keep = true }] } }
  }
  expect_status = "succeeded"
}
`)
}
