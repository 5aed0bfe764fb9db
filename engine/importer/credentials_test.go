package importer_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/cardflow/cardflow/engine"
	"github.com/cardflow/cardflow/engine/lang"
	"github.com/hashicorp/hcl/v2"
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
	// validate accepts the literals the import kept: the placeholder is
	// the only error.
	_, _, diags := engine.LoadSources(res.Files, engine.LoadOptions{Registry: registry(), Mode: lang.Check,
		Host: lang.Host{LookupEnv: func(string) (string, bool) { return "", false }}})
	var errs []string
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			errs = append(errs, d.Summary+": "+d.Detail)
		}
	}
	if len(errs) != 1 || !strings.Contains(errs[0], "was not converted") {
		t.Errorf("validate: %d errors, want only the placeholder's:\n%s", len(errs), strings.Join(errs, "\n"))
	}
}
