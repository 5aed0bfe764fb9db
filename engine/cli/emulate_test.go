package cli_test

import (
	"strings"
	"testing"

	"github.com/cardflow/cardflow/engine/cli"
)

// TestEmulateRefusesIgnoredCredentials: a credential flag the emulator
// would ignore is a usage error, before anything listens: the emulator
// would otherwise accept any client while the user thinks it checks.
func TestEmulateRefusesIgnoredCredentials(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"servicenow", "--password", "P"}, "--password needs --user"},
		{[]string{"servicenow", "--token", "T"}, "--token is for the okta emulator"},
		{[]string{"okta", "--user", "admin"}, "--user and --password are for the servicenow emulator"},
		{[]string{"okta", "--password", "P"}, "--user and --password are for the servicenow emulator"},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			res := run(t, nil, append([]string{"emulate", "--listen", "127.0.0.1:0"}, tt.args...)...)
			if res.code != cli.ExitUsage || !strings.Contains(res.stderr, tt.want) || res.stdout != "" {
				t.Errorf("want exit 2, %q and nothing listening:\n%s", tt.want, res)
			}
		})
	}
}
