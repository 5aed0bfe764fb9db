package servicenow

import (
	"net/http"
	"testing"
	"time"
)

func TestNextLink(t *testing.T) {
	tests := []struct {
		name    string
		headers []string
		want    string
	}{
		{"none", nil, ""},
		{"platform, no spaces",
			[]string{`<https://x.service-now.com/api/now/table/t?sysparm_offset=0&sysparm_limit=2>;rel="first",<https://x.service-now.com/api/now/table/t?sysparm_offset=2&sysparm_limit=2>;rel="next",<https://x.service-now.com/api/now/table/t?sysparm_offset=8&sysparm_limit=2>;rel="last"`},
			"https://x.service-now.com/api/now/table/t?sysparm_offset=2&sysparm_limit=2"},
		{"commas in the URL",
			[]string{`<https://x/api/now/table/t?sysparm_fields=a,b&sysparm_offset=0>; rel="first", <https://x/api/now/table/t?sysparm_fields=a,b&sysparm_offset=5>; rel="next"`},
			"https://x/api/now/table/t?sysparm_fields=a,b&sysparm_offset=5"},
		{"last page", []string{`<https://x/a?o=0>;rel="first",<https://x/a?o=0>;rel="prev",<https://x/a?o=4>;rel="last"`}, ""},
		{"unquoted, second header", []string{`<https://x/a?o=0>;rel=first`, `<https://x/a?o=4>; rel=next`}, "https://x/a?o=4"},
		{"garbage", []string{`<https://x/a?o=0;rel="next"`}, ""},
	}
	for _, tc := range tests {
		if got := nextLink(tc.headers); got != tc.want {
			t.Errorf("%s: nextLink = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestRetryAt(t *testing.T) {
	now := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	h := func(kv ...string) http.Header {
		out := http.Header{}
		for i := 0; i+1 < len(kv); i += 2 {
			out.Set(kv[i], kv[i+1])
		}
		return out
	}
	tests := []struct {
		name string
		h    http.Header
		want time.Time
	}{
		{"seconds", h("Retry-After", "30"), now.Add(30 * time.Second)},
		{"http date", h("Retry-After", "Fri, 20 Nov 2026 09:05:00 GMT"), now.Add(5 * time.Minute)},
		{"reset epoch", h("X-RateLimit-Reset", "1795165200"), time.Unix(1795165200, 0)},
		{"Retry-After wins", h("Retry-After", "1", "X-RateLimit-Reset", "1795165200"), now.Add(time.Second)},
		{"okta spelling", h("X-Rate-Limit-Reset", "1795165200"), time.Unix(1795165200, 0)},
		{"nothing", h(), time.Time{}},
		{"junk", h("Retry-After", "soon"), time.Time{}},
	}
	for _, tc := range tests {
		if got := retryAt(tc.h, now); !got.Equal(tc.want) {
			t.Errorf("%s: retryAt = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestStableOrder(t *testing.T) {
	for in, want := range map[string]string{
		"":                                "ORDERBYsys_id",
		"active=true":                     "active=true^ORDERBYsys_id",
		"active=true^EQ":                  "active=true^ORDERBYsys_id",
		"active=true^ORDERBYnumber":       "active=true^ORDERBYnumber^ORDERBYsys_id",
		"ORDERBYDESCsys_id":               "ORDERBYDESCsys_id",
		"state=6^ORDERBYsys_id^NQstate=7": "state=6^ORDERBYsys_id^NQstate=7",
	} {
		if got := stableOrder(in); got != want {
			t.Errorf("stableOrder(%q) = %q, want %q", in, got, want)
		}
	}
}
