package cli

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// TestRunRetainFromEnv: CARDFLOW_RETAIN sets the retention as --retain
// does; a value that does not parse is refused as the flag's would be,
// instead of falling back to the 30-day default; --retain overrides it.
func TestRunRetainFromEnv(t *testing.T) {
	for _, tt := range []struct {
		env     string
		args    []string
		keep    time.Duration
		refused string
	}{
		{env: "90d", keep: 90 * 24 * time.Hour},
		{env: "36h", keep: 36 * time.Hour},
		{env: "0", keep: 0},
		{env: "", keep: defaultRetention},
		{env: "90", refused: `CARDFLOW_RETAIN: "90" is not an age such as 30d, 36h or 0`},
		{env: "-1d", refused: `CARDFLOW_RETAIN: "-1d" is not a number of days`},
		{env: "bogus", args: []string{"--retain", "7d"}, keep: 7 * 24 * time.Hour},
	} {
		var got *RunOptions
		f := &Factory{IO: &IOStreams{Out: &strings.Builder{}, ErrOut: &strings.Builder{}, Environ: []string{"CARDFLOW_RETAIN=" + tt.env}}}
		cmd := NewCmdRun(f, func(o *RunOptions) error { got = o; return nil })
		cmd.SetArgs(append(tt.args, "flows"))
		cmd.SetOut(&strings.Builder{})
		cmd.SetErr(&strings.Builder{})
		err := cmd.Execute()
		if tt.refused != "" {
			var ee *exitError
			if !errors.As(err, &ee) || ee.code != ExitUsage || !strings.Contains(err.Error(), tt.refused) || got != nil {
				t.Errorf("CARDFLOW_RETAIN=%q: %v, want exit %d with %q", tt.env, err, ExitUsage, tt.refused)
			}
			continue
		}
		if err != nil || got == nil {
			t.Errorf("CARDFLOW_RETAIN=%q %v: %v", tt.env, tt.args, err)
			continue
		}
		if r := got.Retain.retention(); r.Keep != tt.keep {
			t.Errorf("CARDFLOW_RETAIN=%q %v: keeps %v, want %v", tt.env, tt.args, r.Keep, tt.keep)
		}
	}
}
