package importer_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cardflow/cardflow/engine/flowtest"
	"github.com/cardflow/cardflow/engine/flowtest/emulators"
	"github.com/cardflow/cardflow/engine/importer"
	"github.com/hashicorp/hcl/v2"
)

// runImported writes an import and a test file into a directory and runs
// the tests with cardflow's flow test harness: every run must pass.
func runImported(t *testing.T, res *importer.Result, tests string) {
	t.Helper()
	dir := t.TempDir()
	for n, b := range res.Files {
		if err := os.WriteFile(filepath.Join(dir, n), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "imported.test.hcl"), []byte(tests), 0o644); err != nil {
		t.Fatal(err)
	}
	opts := flowtest.Options{Registry: registry(), Emulators: emulators.Default()}
	suite, diags := flowtest.Load([]string{dir}, opts)
	if diags.HasErrors() {
		for _, d := range diags {
			if d.Severity == hcl.DiagError {
				t.Errorf("%s: %s: %s", d.Subject, d.Summary, d.Detail)
			}
		}
		t.FailNow()
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	report := flowtest.Run(ctx, suite.Config, opts)
	if len(report.Runs) == 0 {
		t.Fatal("no run was executed")
	}
	for _, r := range report.Runs {
		if !r.Passed {
			t.Errorf("run %q failed (%s, %s): %s", r.Name, r.Status, r.Error, r.Diagnostics.Error())
		}
	}
}

// calledFlow returns the flow a card of a flow file calls.
func calledFlow(t *testing.T, res *importer.Result, file, card string) string {
	t.Helper()
	src := string(res.Files[file])
	re := regexp.MustCompile(`(?s)card "` + card + `" \{[^}]*?flow\s+= flow\.([a-z0-9_]+)`)
	m := re.FindStringSubmatch(src)
	if m == nil {
		t.Fatalf("%s: card %q calls no flow:\n%s", file, card, src)
	}
	return m[1]
}

// TestIfErrorCopiesCallTheirOwnBranch: two copied flows whose If Error
// cards embed flows with the same id but different cards (as in the
// identity_security_posture_management template) each call their own.
func TestIfErrorCopiesCallTheirOwnBranch(t *testing.T) {
	res := importFile(t, "if-error-copies.flopack")
	checkReport(t, "if-error-copies", res)
	data, err := os.ReadFile("testdata/import/if-error-copies.flopack")
	if err != nil {
		t.Fatal(err)
	}
	checkEveryCard(t, "if-error-copies", data, res)
	for file, want := range map[string]string{
		"n2_1_disable_entra_id_user.hcl": `original = "office365admin.disableUserAccount`,
		"n2_2_suspend_okta_user.hcl":     "action     = okta.suspend_user",
	} {
		helper := calledFlow(t, res, file, "if_error")
		if src := string(res.Files[helper+".hcl"]); !strings.Contains(src, want) {
			t.Errorf("%s calls %s, which does not hold %s:\n%s", file, helper, want, src)
		}
	}
	if a, b := calledFlow(t, res, "n2_1_disable_entra_id_user.hcl", "if_error"), calledFlow(t, res, "n2_2_suspend_okta_user.hcl", "if_error"); a == b {
		t.Errorf("both flows call %s", a)
	}
}

// TestIfErrorRuns runs the imported If Error cards: the branch gets the
// values it reads, and a failure runs the error branch with the error.
func TestIfErrorRuns(t *testing.T) {
	res := importFile(t, "if-error-copies.flopack")
	// The Entra ID flow's branch is a placeholder, which cannot run.
	for n := range res.Files {
		if strings.HasPrefix(n, "n2_1_") {
			delete(res.Files, n)
		}
	}
	runImported(t, res, `
run "the branch reads its inputs" {
  flow    = flow.n2_2_suspend_okta_user
  trigger = { input = { Username = "kari@example.com", "User Id in Service" = "00u1kari" } }
  mock "okta.suspend_user" { output = { changed = true } }
  expect_call "okta.suspend_user" { with = { user = "00u1kari" } }
  expect_skipped = [card.if_error_error]
  assert {
    condition     = card.if_error.error == null
    error_message = "The branch failed: ${jsonencode(card.if_error.error)}"
  }
}

run "a failure runs the error branch" {
  flow    = flow.n2_2_suspend_okta_user
  trigger = { input = { Username = "kari@example.com", "User Id in Service" = "00u1kari" } }
  mock "okta.suspend_user" { error = { kind = "invalid", message = "not active" } }
  expect_status = "succeeded"
  expect_call "card.if_error_error" { with = { input = { error = { kind = "invalid" } } } }
  assert {
    condition     = strcontains(card.if_error.error.message, "not active")
    error_message = "The error is ${jsonencode(card.if_error.error)}"
  }
}
`)
}

// TestStreamRecordsCallTheFlowPerRecord: Get User's Groups in Stream
// Records mode (remove_user_from_all_non_built_in_okta_groups) calls its
// streaming flow once per group with the record and the state.
func TestStreamRecordsCallTheFlowPerRecord(t *testing.T) {
	res := importFile(t, "stream-records.flopack")
	data, err := os.ReadFile("testdata/import/stream-records.flopack")
	if err != nil {
		t.Fatal(err)
	}
	checkEveryCard(t, "stream-records", data, res)
	runImported(t, res, `
run "every Okta group is removed, the built-in one skipped" {
  flow    = flow.remove_user_from_all_groups
  trigger = { input = {} }
  mock "okta.list_user_groups" {
    output = {
      count = 2
      groups = [
        { id = "00g1", name = "Sales", type = "OKTA_GROUP" },
        { id = "00g2", name = "Everyone", type = "BUILT_IN" },
      ]
    }
  }
  mock "okta.remove_user_from_group" { output = { changed = true } }
  expect_call "okta.remove_user_from_group" {
    with  = { group = "00g1", user = "{userId}" }
    count = 1
  }
  expect_call "card.get_users_groups_each" { count = 2 }
}
`)
}

// TestEmptySearchRows: If/Else "is not empty" on the row Search Rows
// found (validate_email_domain_using_registration_inline_ho) takes the
// "not found" branch when no row matches instead of failing.
func TestEmptySearchRows(t *testing.T) {
	runImported(t, importFile(t, "search-rows-empty.flopack"), `
run "no row: deny" {
  flow          = flow.validate_email_domain
  trigger       = { input = { body = { data = { userProfile = { login = "kari@evil.example" } } } } }
  expect_status = "succeeded"
  expect_call "card.return" {
    with = { result = { body = { reason = "INVALID_EMAIL_DOMAIN" } } }
  }
}

run "a row: allow" {
  flow    = flow.validate_email_domain
  trigger = { input = { body = { data = { userProfile = { login = "kari@example.com" } } } } }
  table "allowed_domain_list" {
    rows = { "example.com" = { "Allowed Domains" = "example.com" } }
  }
  expect_status = "succeeded"
  expect_call "card.return" {
    with = { result = { body = { registration = "ALLOW" } } }
  }
}
`)
}

// TestFirstMatchingRowEmpty: a Continue If on a field of the row Search
// Rows found (approvals' Process Resolution) reads null when no row
// matches, so the flow halts as in Okta Workflows instead of failing on
// an empty list; with the row it goes on.
func TestFirstMatchingRowEmpty(t *testing.T) {
	t.Setenv("PROCESS_RESOLUTION_CLIENT_TOKEN", "test-token")
	runImported(t, importFile(t, "approvals.flopack"), `
run "no pending approval: halted" {
  flow          = flow.process_resolution
  trigger       = { body = { userId = "00u1" } }
  expect_status = "halted"
  expect_call "okta.add_user_to_group" { count = 0 }
}

run "a pending approval: approved" {
  flow    = flow.process_resolution
  trigger = { body = { userId = "00u1" } }
  table "approvals" {
    rows = { "00u1" = { userId = "00u1", login = "kari@example.com", incident = "INC1", status = "pending" } }
  }
  mock "okta.add_user_to_group" { output = { changed = true } }
  expect_status = "succeeded"
  expect_call "okta.add_user_to_group" { with = { group = "Employees", user = "00u1" } }
}
`)
}
