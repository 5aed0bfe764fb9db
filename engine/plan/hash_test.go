package plan_test

import (
	"bytes"
	"os"
	"testing"

	"github.com/cardflow/cardflow/engine/config"
	"github.com/cardflow/cardflow/engine/lang"
	"github.com/cardflow/cardflow/engine/plan"
)

// welcomeEnv is the environment of testdata/legacy-hash with the API
// token and org URL given.
func welcomeEnv(orgURL, token string) map[string]string {
	return map[string]string{"OKTA_ORG_URL": orgURL, "OKTA_API_TOKEN": token, "OKTA_EVENT_HOOK_SECRET": "hookSecretABC555"}
}

// compileWelcome compiles testdata/legacy-hash as cardflow run does, in
// env, with vars.
func compileWelcome(t *testing.T, env map[string]string, vars lang.VarValues) *plan.Flow {
	t.Helper()
	b, err := os.ReadFile("testdata/legacy-hash/welcome.hcl")
	if err != nil {
		t.Fatal(err)
	}
	reg := registry()
	cfg, diags := config.LoadSources(map[string][]byte{"welcome.hcl": b}, reg)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	host := lang.Host{LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok }}
	gen, diags := plan.Compile(cfg, plan.Options{Registry: reg, Mode: lang.Live, Host: host, Vars: vars})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	return gen.Flows["welcome"]
}

// TestHashLeavesSecretsOut: a definition hash does not change with the
// connections' secrets or a sensitive variable (rotating a token must not
// orphan executions), nor with another spelling of the same org URL; it
// changes with the org (another tenant) and with a plain variable.
func TestHashLeavesSecretsOut(t *testing.T) {
	base := compileWelcome(t, welcomeEnv("https://acme.okta.com", "wrongTokenSECRET987"), lang.VarValues{})
	cases := []struct {
		name string
		env  map[string]string
		vars lang.VarValues
		same bool
	}{
		{"rotated token", welcomeEnv("https://acme.okta.com", "good-token-XYZ"), lang.VarValues{}, true},
		{"rotated hook secret", map[string]string{"OKTA_ORG_URL": "https://acme.okta.com", "OKTA_API_TOKEN": "wrongTokenSECRET987", "OKTA_EVENT_HOOK_SECRET": "other"}, lang.VarValues{}, true},
		{"sensitive variable", welcomeEnv("https://acme.okta.com", "wrongTokenSECRET987"), lang.VarValues{Flags: []string{"api_key=k2"}}, true},
		{"trailing slash and case", welcomeEnv("https://ACME.okta.com/", "wrongTokenSECRET987"), lang.VarValues{}, true},
		{"another org", welcomeEnv("https://globex.okta.com", "wrongTokenSECRET987"), lang.VarValues{}, false},
		{"plain variable", welcomeEnv("https://acme.okta.com", "wrongTokenSECRET987"), lang.VarValues{Flags: []string{"group=Contractors"}}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := compileWelcome(t, tc.env, tc.vars).Hash
			if (got == base.Hash) != tc.same {
				t.Errorf("hash %s, first %s: want same %v", got, base.Hash, tc.same)
			}
		})
	}
}

// TestLegacyHash: LegacyHash gives the hashes that cardflow gave this
// definition before secrets were left out of them (recorded with that
// version, for the token the QA report used): stores it wrote pin
// executions to these.
func TestLegacyHash(t *testing.T) {
	for token, want := range map[string]string{"wrongTokenSECRET987": "9375e81fb1138115", "good-token-XYZ": "c94455fde624e82e"} {
		f := compileWelcome(t, welcomeEnv("https://acme.okta.com", token), lang.VarValues{})
		if got := plan.LegacyHash(f); got != want {
			t.Errorf("token %s: LegacyHash %s, want %s", token, got, want)
		}
		if f.Hash == want {
			t.Errorf("token %s: the current hash is the legacy one", token)
		}
	}
}

// TestSnapshotRecordsPins: a snapshot records the pin digests of every
// connection, never a secret, so that a later process can name what
// changed.
func TestSnapshotRecordsPins(t *testing.T) {
	f := compileWelcome(t, welcomeEnv("https://acme.okta.com", "wrongTokenSECRET987"), lang.VarValues{})
	snap, err := plan.ReadSnapshot(f.Gen.Snapshot)
	if err != nil {
		t.Fatal(err)
	}
	pins := snap.Pins["okta.main"]
	if len(pins) != 1 || pins["org_url"] == "" || pins["org_url"] != f.Gen.Connections["okta.main"].Pins["org_url"] {
		t.Errorf("pins of okta.main: %v, want the org_url digest %v", pins, f.Gen.Connections["okta.main"].Pins)
	}
	for _, secret := range []string{"wrongTokenSECRET987", "hookSecretABC555", "acme.okta.com"} {
		if bytes.Contains(f.Gen.Snapshot, []byte(secret)) {
			t.Errorf("the snapshot holds %q", secret)
		}
	}
}
