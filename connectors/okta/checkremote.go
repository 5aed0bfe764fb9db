package okta

import (
	"context"
	"fmt"
	"net/http"

	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/engine/connector"
)

// checkGroupAndApp is the CheckRemote of the actions that name a group or
// an app: `cardflow validate --check-env` looks them up in the org, as the
// card will, so that a flow written against one org (a preview, the
// emulator's seed) does not meet a name the production org lacks only
// when the first user is onboarded. It reads and changes nothing.
func checkGroupAndApp(ctx context.Context, cl connector.Client, in cty.Value) []connector.Finding {
	c, ok := cl.(*Client)
	if !ok || c == nil {
		return nil
	}
	var out []connector.Finding
	if name := connector.String(in, "group"); name != "" {
		_, err := c.resolveGroup(ctx, name)
		out = append(out, lookupFinding(c, "group", "group", "name", name, err)...)
	}
	if label := connector.String(in, "app"); label != "" {
		_, err := c.resolveApp(ctx, label)
		out = append(out, lookupFinding(c, "app", "app", "label", label, err)...)
	}
	return out
}

// checkToken is the CheckCredentials of the Okta connector: it reads the
// token's own user (GET /api/v1/users/me), which any valid API token may.
// Okta answers 401 E0000011 for a token it does not know (mistyped,
// revoked, expired); that is the one answer returned, as every call with
// the token would get it. A 403 (the token lacks a scope) or an org that
// cannot be reached is left to the other checks, which warn.
func checkToken(ctx context.Context, cl connector.Client) error {
	c, ok := cl.(*Client)
	if !ok || c == nil {
		return nil
	}
	_, resp, err := c.getUser(ctx, "me")
	if err == nil {
		return nil
	}
	ce := classify(resp, err)
	if ce == nil || ce.Status != http.StatusUnauthorized {
		return nil
	}
	return ce
}

// lookupFinding says what a lookup of a group or app the card names found
// wrong: nothing of that name, or that it could not tell (said without the
// name, so that it is said once for all the cards and instances it
// concerns).
func lookupFinding(c *Client, arg, what, by, name string, err error) []connector.Finding {
	switch {
	case err == nil:
		return nil
	case connector.KindOf(err) == connector.NotFound:
		return []connector.Finding{{Arg: arg,
			Summary: "No such Okta " + what,
			Detail: fmt.Sprintf("The org at %s has no %s whose id or %s is %q: the card will fail with not found. "+
				"Create the %s, or correct the name (%ss are matched exactly, case included).", c.orgURL, what, by, name, what, by)}}
	default:
		return []connector.Finding{{Arg: arg,
			Summary: "Okta " + what + " not checked",
			Detail: fmt.Sprintf("cardflow could not look up the flows' %ss in the org at %s, so it cannot tell whether they exist: %v. "+
				"Check that org_url is reachable from here and that the token may read %ss.", what, c.orgURL, err, what)}}
	}
}
