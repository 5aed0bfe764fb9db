package cli_test

import (
	"strings"
	"testing"

	"github.com/cardflow/cardflow/engine/cli"
)

// TestEmulateRefusesIgnoredCredentials: a credential flag the emulator
// would ignore is a usage error, before anything listens: the emulator
// would otherwise accept any client while the user thinks it checks. So
// are the Okta emulator's rate-limit and batching flags given to the
// ServiceNow one, a negative batching window, and a concurrency limit that
// is negative or would not be enforced.
func TestEmulateRefusesIgnoredCredentials(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"servicenow", "--password", "P"}, "--password needs --user"},
		{[]string{"servicenow", "--token", "T"}, "--token is for the okta emulator"},
		{[]string{"okta", "--user", "admin"}, "--user and --password are for the servicenow emulator"},
		{[]string{"okta", "--password", "P"}, "--user and --password are for the servicenow emulator"},
		{[]string{"servicenow", "--enforce-rate-limits"}, "--enforce-rate-limits, --rate-limit and --concurrency-limit are for the okta emulator"},
		{[]string{"servicenow", "--rate-limit", "users=5"}, "--enforce-rate-limits, --rate-limit and --concurrency-limit are for the okta emulator"},
		{[]string{"servicenow", "--concurrency-limit", "5"}, "--enforce-rate-limits, --rate-limit and --concurrency-limit are for the okta emulator"},
		{[]string{"okta", "--concurrency-limit", "5"}, "--concurrency-limit needs --enforce-rate-limits"},
		{[]string{"okta", "--enforce-rate-limits", "--concurrency-limit=-1"}, "--concurrency-limit -1: want the number of requests processed at once, or 0 for no limit"},
		{[]string{"servicenow", "--delivery-batch-window", "2s"}, "--delivery-batch-window is for the okta emulator's event hooks"},
		{[]string{"okta", "--delivery-batch-window=-1s"}, "--delivery-batch-window -1s is negative"},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			res := run(t, nil, append([]string{"emulate", "--listen", "127.0.0.1:0"}, tt.args...)...)
			if res.code != cli.ExitUsage || !strings.Contains(res.stderr, tt.want) || res.stdout != "" {
				t.Errorf("want exit 2, %q and nothing listening:\n%s", tt.want, res)
			}
		})
	}
}

// TestEmulateRefusesBadRateLimits: a --rate-limit that names no bucket or
// gives no positive limit is a usage error naming the flag, before
// anything listens.
func TestEmulateRefusesBadRateLimits(t *testing.T) {
	for _, tt := range []struct {
		flag, want string
	}{
		{"user=5", `--rate-limit: no rate-limit bucket "user"; the buckets are users, user_read, user_write`},
		{"users=0", "--rate-limit users=0: want bucket=N with N a positive number"},
		{"users", "--rate-limit users: want bucket=N"},
		{"=5", "--rate-limit =5: want bucket=N"},
		{"logs=many", "--rate-limit logs=many: want bucket=N"},
	} {
		t.Run(tt.flag, func(t *testing.T) {
			res := run(t, nil, "emulate", "okta", "--listen", "127.0.0.1:0", "--enforce-rate-limits", "--rate-limit", tt.flag)
			if res.code != cli.ExitUsage || !strings.Contains(res.stderr, tt.want) || res.stdout != "" {
				t.Errorf("want exit 2, %q and nothing listening:\n%s", tt.want, res)
			}
		})
	}
}
