package okta

import (
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

func TestLintUserStatus(t *testing.T) {
	tests := []struct {
		out     string // the action whose output is compared
		path    []string
		literal string
		want    string // the suggestion, "-" for a warning without one, "" for none
	}{
		{"read_user", []string{"status"}, "ACTIVE", ""},
		{"read_user", []string{"status"}, "DEACTIVATED", "DEPROVISIONED"},
		{"read_user", []string{"status"}, "Active", "ACTIVE"},
		{"read_user", []string{"status"}, "pending user action", "PROVISIONED"},
		{"read_user", []string{"status"}, "N/A", "-"},
		{"search_users", []string{"users", "0", "status"}, "LOCKED", "LOCKED_OUT"},
		{"deactivate_user", []string{"previous_status"}, "SUSPEND", "SUSPENDED"},
		{"deactivate_user", []string{"status"}, "STAGED", ""},
		{"assign_user_to_app", []string{"status"}, "PROVISIONED_X", ""}, // an app assignment's status
		{"read_user", []string{"profile", "status"}, "anything", ""},
		{"read_user", []string{"login"}, "DEACTIVATED", ""},
	}
	for _, tt := range tests {
		a, ok := New().Action(tt.out)
		if !ok {
			t.Fatalf("no action %s", tt.out)
		}
		f, warned := a.LintCompare(cty.DynamicVal, tt.path, tt.literal)
		switch {
		case tt.want == "" && warned:
			t.Errorf("%s %v == %q: warned %q", tt.out, tt.path, tt.literal, f.Detail)
		case tt.want != "" && !warned:
			t.Errorf("%s %v == %q: no warning", tt.out, tt.path, tt.literal)
		case tt.want == "-" && strings.Contains(f.Detail, "Did you mean"):
			t.Errorf("%s %v == %q: suggests where nothing is near: %q", tt.out, tt.path, tt.literal, f.Detail)
		case tt.want != "" && tt.want != "-" && !strings.Contains(f.Detail, `Did you mean "`+tt.want+`"?`):
			t.Errorf("%s %v == %q: %q, want it to suggest %s", tt.out, tt.path, tt.literal, f.Detail, tt.want)
		}
	}
}
