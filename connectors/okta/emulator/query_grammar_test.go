package emulator_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/cardflow/cardflow/connectors/okta/emulator"
)

// TestQueryGrammars: the users filter is the limited form (equality on
// status, id and the login, email and name attributes, comparisons of
// lastUpdated, quoted values) and search the full one (reference §3.2);
// the groups filter takes only id, type, lastUpdated and
// lastMembershipUpdated, and the groups search eq, sw, and co on the name
// and description only (§3.3). Okta refuses the rest with 400 E0000031.
func TestQueryGrammars(t *testing.T) {
	o := newOrg(t, emulator.Options{})
	if err := o.emu.Seed(emulator.Seed{
		Groups: []emulator.SeedGroup{{Name: "Finance", Description: "Money"}},
		Users:  []emulator.SeedUser{{Profile: map[string]any{"login": "erik@x.com", "email": "erik@x.com", "firstName": "Erik", "lastName": "Berg", "department": "Finance"}}},
	}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path, param, expr string
		ok                bool
	}{
		{"/api/v1/users", "filter", `status eq "ACTIVE"`, true},
		{"/api/v1/users", "filter", `profile.login eq "erik@x.com" or profile.email eq "erik@x.com"`, true},
		{"/api/v1/users", "filter", `lastUpdated gt "2020-01-01T00:00:00.000Z"`, true},
		{"/api/v1/users", "filter", `profile.firstName eq "Erik" and profile.lastName eq "Berg"`, true},
		{"/api/v1/users", "filter", `profile.department eq "Finance"`, false},
		{"/api/v1/users", "filter", `profile.login sw "erik"`, false},
		{"/api/v1/users", "filter", `status eq ACTIVE`, false},
		{"/api/v1/users", "filter", `status ne "ACTIVE"`, false},
		{"/api/v1/users", "search", `profile.department eq "Finance"`, true},
		{"/api/v1/users", "search", `profile.login sw "erik"`, true},
		{"/api/v1/groups", "filter", `type eq "OKTA_GROUP"`, true},
		{"/api/v1/groups", "filter", `lastMembershipUpdated gt "2020-01-01T00:00:00.000Z"`, true},
		{"/api/v1/groups", "filter", `profile.name eq "Finance"`, false},
		{"/api/v1/groups", "filter", `type eq OKTA_GROUP`, false},
		{"/api/v1/groups", "search", `profile.name eq "Finance"`, true},
		{"/api/v1/groups", "search", `profile.description co "on"`, true},
		{"/api/v1/groups", "search", `type co "OKTA"`, false},
		{"/api/v1/groups", "search", `profile.name ew "ance"`, false},
		{"/api/v1/groups", "search", `lastUpdated gt "2020-01-01T00:00:00.000Z"`, true},
	}
	for _, tt := range tests {
		t.Run(tt.path+" "+tt.param+" "+tt.expr, func(t *testing.T) {
			resp := doRaw(t, o, http.MethodGet, tt.path+"?"+tt.param+"="+url.QueryEscape(tt.expr), "SSWS "+testToken)
			if tt.ok {
				if resp.StatusCode != http.StatusOK {
					t.Errorf("status %d, want 200", resp.StatusCode)
				}
				return
			}
			body := decodeError(t, resp)
			if resp.StatusCode != http.StatusBadRequest || body.ErrorCode != "E0000031" {
				t.Errorf("status %d %s, want 400 E0000031", resp.StatusCode, body.ErrorCode)
			}
		})
	}
}

// decodeError decodes an Okta error body.
func decodeError(t *testing.T, resp *http.Response) (body struct {
	ErrorCode   string `json:"errorCode"`
	ErrorLink   string `json:"errorLink"`
	ErrorCauses []struct {
		ErrorSummary string `json:"errorSummary"`
	} `json:"errorCauses"`
}) {
	t.Helper()
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("error body: %v", err)
	}
	return body
}
