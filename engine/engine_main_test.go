package engine_test

import (
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		// okta-sdk-golang builds a go-cache per client (TestOktaRateLimitEnforcedWaits
		// opens an Okta connection) whose janitor goroutine stops only when the
		// cache is garbage collected: v2.20.0 has no Close.
		goleak.IgnoreTopFunction("github.com/patrickmn/go-cache.(*janitor).Run"),
	)
}
