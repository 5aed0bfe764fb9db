package importer_test

import (
	"bytes"
	"strings"
	"testing"
)

// TestCredentialLiterals: a literal whose input is named like a credential
// is read from the environment, unless it cannot be one (an
// authentication scheme alone, a content type, a yes/no, a name about a
// credential such as token_type), and the report names every variable to
// set, for function cards too.
func TestCredentialLiterals(t *testing.T) {
	res := importFile(t, "credentials.flopack")
	src := string(res.Files["token_request.hcl"])
	for _, want := range []string{
		`token_type                 = "Bearer"`,
		`Authorization              = "Bearer"`,
		`hasPassword                = "No"`,
		`token_endpoint_auth_method = "client_secret_basic"`,
		`client_secret              = env("CLIENT_SECRET")`,
		`Authorization-Header       = env("AUTHORIZATION_HEADER")`,
	} {
		if !strings.Contains(src, want) {
			t.Errorf("token_request.hcl lacks %s:\n%s", want, src)
		}
	}
	for _, secret := range []string{"s3cr3t-from-the-export", "00aBcDeFgHiJkLmNoP"} {
		for n, b := range res.Files {
			if bytes.Contains(b, []byte(secret)) {
				t.Errorf("%s holds the credential %s", n, secret)
			}
		}
	}
	var rep bytes.Buffer
	res.Report.WriteText(&rep)
	for _, want := range []string{"set the environment variable CLIENT_SECRET", "set the environment variable AUTHORIZATION_HEADER"} {
		if !strings.Contains(rep.String(), want) {
			t.Errorf("the report does not say %q:\n%s", want, rep.String())
		}
	}
	if strings.Contains(rep.String(), "TOKEN_TYPE") || strings.Contains(rep.String(), "HAS_PASSWORD") {
		t.Errorf("the report asks for variables of values that are not credentials:\n%s", rep.String())
	}
}
