package lang_test

import (
	"strings"
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

func TestTimediff(t *testing.T) {
	fns := lang.Functions(lang.Live, lang.Host{LookupEnv: func(string) (string, bool) { return "", false }})
	for _, tt := range []struct {
		start, end string
		want       float64
	}{
		{"2026-12-06T20:30:00Z", "2026-12-08T08:30:00Z", 129600},
		{"2026-12-08T08:30:00.250Z", "2026-12-06T20:30:00Z", -129600.25},
		{"2026-12-06T21:30:00+01:00", "2026-12-06T20:30:00Z", 0},
	} {
		v, err := fns["timediff"].Call([]cty.Value{cty.StringVal(tt.start), cty.StringVal(tt.end)})
		if err != nil {
			t.Errorf("timediff(%q, %q): %v", tt.start, tt.end, err)
			continue
		}
		if got, _ := v.AsBigFloat().Float64(); got != tt.want {
			t.Errorf("timediff(%q, %q) = %v, want %v", tt.start, tt.end, got, tt.want)
		}
	}
	_, err := fns["timediff"].Call([]cty.Value{cty.StringVal("yesterday"), cty.StringVal("2026-12-06T20:30:00Z")})
	if err == nil || !strings.Contains(err.Error(), `"yesterday" is not an RFC 3339 time`) {
		t.Errorf("timediff of a text that is no time: %v", err)
	}
}
