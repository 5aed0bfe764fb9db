package cli

import (
	"errors"
	"testing"
	"time"
)

func TestLoopbackAddr(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:9090": true, "127.1.2.3:9090": true, "[::1]:9090": true, "localhost:9090": true,
		"0.0.0.0:9090": false, ":9090": false, "[::]:9090": false, "10.0.0.5:9090": false,
		"cardflow.internal:9090": false, "127.0.0.1": false,
	} {
		if got := loopbackAddr(addr); got != want {
			t.Errorf("loopbackAddr(%q) = %v, want %v", addr, got, want)
		}
	}
}

// TestPrepareRefusesAdminOffLoopbackWithoutTokens checks the flags alone,
// before any port is opened: off loopback needs a token file, loopback and
// no admin surface do not.
func TestPrepareRefusesAdminOffLoopbackWithoutTokens(t *testing.T) {
	base := ListenFlags{Listen: "127.0.0.1:0", IdleTimeout: time.Minute, AdminWriteTimeout: time.Minute}
	for _, tt := range []struct {
		admin string
		code  int
	}{{"0.0.0.0:9090", ExitUsage}, {"10.1.2.3:9090", ExitUsage}, {"127.0.0.1:9090", ExitOK}, {"", ExitOK}} {
		l := base
		l.AdminListen = tt.admin
		_, err := l.prepare(nil)
		code := ExitOK
		var ee *exitError
		if errors.As(err, &ee) {
			code = ee.code
		} else if err != nil {
			code = -1
		}
		if code != tt.code {
			t.Errorf("--admin-listen %q: %v (exit %d), want exit %d", tt.admin, err, code, tt.code)
		}
	}
}
