package console_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cardflow/cardflow/engine"
	"github.com/cardflow/cardflow/engine/console"
	"github.com/cardflow/cardflow/engine/store/memory"
)

// parkedSource is the engine's source with a given count of waiting
// executions.
type parkedSource struct {
	*engine.ConsoleSource
	parked int
}

func (s parkedSource) Health(ctx context.Context) console.Health {
	h := s.ConsoleSource.Health(ctx)
	h.Parked = s.parked
	return h
}

// The health page says "or more" exactly when the count reached
// MaxParkedCount, the bound the source counts to.
func TestHealthPageBoundsTheWaitingCount(t *testing.T) {
	st := memory.New()
	t.Cleanup(func() { st.Close() })
	for _, tc := range []struct {
		parked int
		want   string
	}{
		{console.MaxParkedCount - 1, fmt.Sprintf("%d parked until", console.MaxParkedCount-1)},
		{console.MaxParkedCount, fmt.Sprintf("%d or more parked until", console.MaxParkedCount)},
		{-1, "unknown"},
	} {
		var tokens console.Tokens
		tokens.Add(readToken, console.Principal{Name: "auditor", Role: console.RoleRead})
		c := console.New(console.Options{Source: parkedSource{&engine.ConsoleSource{Store: st}, tc.parked}, Auth: &tokens})
		srv := httptest.NewServer(c)
		f := &fixture{t: t, st: st, srv: srv}
		code, body, _ := get(t, f.login(readToken), srv.URL+"/ui/health")
		srv.Close()
		if code != 200 || !strings.Contains(body, tc.want) {
			t.Errorf("parked %d: %d, the page does not say %q", tc.parked, code, tc.want)
		}
	}
}
