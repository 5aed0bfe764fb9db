package servicenow

import (
	"context"
	"errors"
	"net/http"

	"github.com/cardflow/cardflow/engine/connector"
)

// checkCredentials is the CheckCredentials of the ServiceNow connector: it
// reads one sys_id of sys_user, the cheapest authenticated Table API call.
// The instance answers 401 "User Not Authenticated" to a wrong username or
// password, and /oauth_token.do answers 401 to a refused client or grant;
// that is the one answer returned, as every call with the credentials
// would get it. A 403 (an ACL: the user may not read sys_user), a missing
// table and an instance that cannot be reached are left to the other
// checks, which warn.
func checkCredentials(ctx context.Context, cl connector.Client) error {
	c, ok := cl.(*Client)
	if !ok || c == nil {
		return nil
	}
	params := recordParams()
	params.Set("sysparm_limit", "1")
	params.Set("sysparm_fields", "sys_id")
	_, err := c.list(ctx, &request{op: "servicenow.check_credentials", method: http.MethodGet, path: tablePath("sys_user"), query: params})
	var ce *connector.Error
	if err == nil || !errors.As(err, &ce) || ce.Status != http.StatusUnauthorized {
		return nil
	}
	// The instance's own words and which of the connection's arguments it
	// refused; never their values.
	return &connector.Error{Kind: connector.Permission, Status: ce.Status, Message: ce.Message + " (" + c.credentialsName() + ")"}
}

// credentialsName names the arguments whose credentials the client sends,
// in the precedence authorize applies.
func (c *Client) credentialsName() string {
	switch {
	case c.oauth != nil && c.username != "" && c.password != "":
		return "client_id, client_secret, username and password"
	case c.oauth != nil:
		return "client_id and client_secret"
	case c.apiKey != "":
		return "api_key"
	}
	return "username and password"
}
