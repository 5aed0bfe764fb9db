package lang_test

import (
	"testing"
	"time"

	"github.com/cardflow/cardflow/engine/lang"
	"github.com/zclconf/go-cty/cty"
)

func TestTimestamp(t *testing.T) {
	at := time.Date(2026, 12, 6, 21, 30, 0, 0, time.FixedZone("CET", 3600))
	fns := lang.Functions(lang.Live, lang.Host{LookupEnv: func(string) (string, bool) { return "", false }, Now: func() time.Time { return at }})
	v, err := fns["timestamp"].Call(nil)
	if err != nil {
		t.Fatal(err)
	}
	if !v.RawEquals(cty.StringVal("2026-12-06T20:30:00Z")) {
		t.Errorf("timestamp() = %#v, want the time in UTC", v)
	}
	// timeadd() reads it, as the imported Okta Workflows date cards do.
	v, err = fns["timeadd"].Call([]cty.Value{v, cty.StringVal("48h")})
	if err != nil || !v.RawEquals(cty.StringVal("2026-12-08T20:30:00Z")) {
		t.Errorf("timeadd(timestamp(), \"48h\") = %#v, %v", v, err)
	}
}
