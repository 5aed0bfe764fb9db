package didyoumean

import "testing"

func TestName(t *testing.T) {
	actions := []string{"okta.assign_user_to_app", "okta.add_user_to_group", "okta.read_user", "servicenow.create_record"}
	tests := []struct{ given, want string }{
		{"okta.read_usr", "okta.read_user"},
		{"okta.assign_app_to_user", "okta.assign_user_to_app"},   // words swapped
		{"okta.group_to_user_add", "okta.add_user_to_group"},     // any order
		{"servicenow.record_create", "servicenow.create_record"}, // another connector
		{"okta.create_record", ""},                               // same words, other connector
		{"okta.deactivate_everyone", ""},                         // nothing near
	}
	for _, tt := range tests {
		if got := Name(tt.given, actions); got != tt.want {
			t.Errorf("Name(%q) = %q, want %q", tt.given, got, tt.want)
		}
	}
}

func TestHint(t *testing.T) {
	fields := []string{"short_description", "description", "category"}
	if got, want := Hint("short_descripton", fields), ` Did you mean "short_description"?`; got != want {
		t.Errorf("Hint = %q, want %q", got, want)
	}
	if got := Hint("u_cost_center", fields); got != "" {
		t.Errorf("Hint of a name near nothing = %q, want none", got)
	}
}
