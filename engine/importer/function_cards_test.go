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

// TestDateDiff: Difference becomes timediff() in days, hours and minutes
// with their fractions and in whole seconds and milliseconds, end minus
// start, as Okta Workflows computes them. A card whose months a later card
// reads stays a placeholder that says why. Date to Unix and Date to Epoch
// read timediff() from 1970.
func TestDateDiff(t *testing.T) {
	res := importFile(t, "date-diff.flopack")
	data, err := os.ReadFile("testdata/import/date-diff.flopack")
	if err != nil {
		t.Fatal(err)
	}
	checkReport(t, "date-diff", res)
	checkEveryCard(t, "date-diff", data, res)
	for _, fr := range res.Report.Flows {
		for _, c := range fr.Cards {
			if fr.File == "months_between.hcl" && c.Card == "diff" && (c.Status != "placeholder" || !strings.Contains(c.Note, "Its months are read")) {
				t.Errorf("Difference of months: %s, %q", c.Status, c.Note)
			}
		}
	}
	delete(res.Files, "months_between.hcl")
	runImported(t, res, `
run "Difference is end minus start" {
  flow    = flow.time_between
  trigger = { input = { start = "2026-12-06T20:30:00Z", end = "2026-12-08T08:30:00Z" } }
  expect_call "card.return" {
    with = { result = { days = 1.5, hours = 36, minutes = 2160, seconds = 129600, milliseconds = 129600000 } }
  }
}

run "Date to Unix and Date to Epoch count from 1970 in whole milliseconds and seconds" {
  flow    = flow.unix_time
  trigger = { input = { at = "2016-09-07T00:01:25.670Z" } }
  expect_call "card.return" { with = { result = { unix = 1473206485670, epoch = 1473206485 } } }
}

run "Difference is negative when end is earlier, and whole seconds are truncated toward zero" {
  flow    = flow.time_between
  trigger = { input = { start = "2026-12-08T08:30:00.67Z", end = "2026-12-06T20:30:00Z" } }
  expect_call "card.return" { with = { result = { seconds = -129600, milliseconds = -129600670 } } }
}
`)
}

// TestFindLast: Find Last of a literal text is the position of its last
// occurrence (the length of what comes before it), -1 when it does not
// occur; a text with regular expression characters is found as written.
// Length counts a text's characters.
func TestFindLast(t *testing.T) {
	res := importFile(t, "find-last.flopack")
	data, err := os.ReadFile("testdata/import/find-last.flopack")
	if err != nil {
		t.Fatal(err)
	}
	checkReport(t, "find-last", res)
	checkEveryCard(t, "find-last", data, res)
	runImported(t, res, `
run "Find Last finds the last occurrence" {
  flow    = flow.split_name
  trigger = { input = { name = "Kari Nordmann Olsen\\plus" } }
  expect_call "card.return" { with = { result = { space = 13, backslash = 19, length = 24 } } }
}

run "Find Last of a text that does not occur is -1" {
  flow    = flow.split_name
  trigger = { input = { name = "Kari" } }
  expect_call "card.return" { with = { result = { space = -1, backslash = -1, length = 4 } } }
}
`)
}

// TestFindByItself: Find By with its path left blank compares the items
// themselves.
func TestFindByItself(t *testing.T) {
	res := importFile(t, "find-by.flopack")
	data, err := os.ReadFile("testdata/import/find-by.flopack")
	if err != nil {
		t.Fatal(err)
	}
	checkReport(t, "find-by", res)
	checkEveryCard(t, "find-by", data, res)
	runImported(t, res, `
run "Find By with no path finds the item equal to the comparison" {
  flow    = flow.find_name
  trigger = { input = { names = ["Kari", "Ola", "Per"] } }
  expect_call "card.return" { with = { result = { item = "Ola", index = 1 } } }
}
`)
}
