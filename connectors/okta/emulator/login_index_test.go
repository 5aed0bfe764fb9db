package emulator_test

import (
	"net/http"
	"testing"

	"github.com/okta/okta-sdk-golang/v2/okta"

	"github.com/cardflow/cardflow/connectors/okta/emulator"
)

// Users are found by login through an index: it must follow login changes
// and deletions, so that a freed login can be taken again and an old one
// no longer resolves.
func TestLoginLookupFollowsChanges(t *testing.T) {
	o := newOrg(t, emulator.Options{})
	u := o.createUser(t, "old@x.com", false)
	full := okta.UserProfile(profile("New@x.com", "Test", "User"))
	u.Profile = &full
	if _, _, err := o.client.User.UpdateUser(o.ctx, u.Id, *u, nil); err != nil {
		t.Fatal(err)
	}
	got, _, err := o.client.User.GetUser(o.ctx, "new@X.com")
	if err != nil || got.Id != u.Id {
		t.Fatalf("GetUser(new login) = %v, %v; want %s", got, err, u.Id)
	}
	_, resp, err := o.client.User.GetUser(o.ctx, "old@x.com")
	wantOktaError(t, resp, err, http.StatusNotFound, "E0000007")

	again := o.createUser(t, "old@x.com", false) // the old login is free
	if again.Id == u.Id {
		t.Fatalf("the freed login resolved to the first user")
	}
	for range 2 { // deactivate, then delete
		if _, err := o.client.User.DeactivateOrDeleteUser(o.ctx, again.Id, nil); err != nil {
			t.Fatal(err)
		}
	}
	_, resp, err = o.client.User.GetUser(o.ctx, "old@x.com")
	wantOktaError(t, resp, err, http.StatusNotFound, "E0000007")
	o.createUser(t, "old@x.com", false) // free again after the delete
}
