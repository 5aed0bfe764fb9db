package emulator

import (
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzParamsReadAsURLQuery holds queryParams to url.URL.Query: the same
// first value for every name (and a name it lacks), the same values.
func FuzzParamsReadAsURLQuery(f *testing.F) {
	for _, s := range []string{"", "a=1", "sysparm_limit=1&sysparm_query=correlation_id%3D00u1%5EORDERBYsys_created_on",
		"a=1&a=2&b", "a=%zz&b=2", "a;b=1&c=2", "&&a=&=b&", "a+b=c+d&%41=%42", "x=1;y=2", "a=%2", "a=b=c",
		strings.Repeat("a=1&", 40) + "b=2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		want, _ := url.ParseQuery(raw)
		got := queryParams(raw)
		if diff := cmp.Diff(want, got.Values()); diff != "" {
			t.Fatalf("%q (-url.ParseQuery +queryParams):\n%s", raw, diff)
		}
		for name := range want {
			if g, w := got.Get(name), want.Get(name); g != w {
				t.Errorf("%q: Get(%q) = %q, want %q", raw, name, g, w)
			}
		}
		if g := got.Get("sysparm_not_there"); g != want.Get("sysparm_not_there") {
			t.Errorf("%q: Get of a name not there = %q", raw, g)
		}
	})
}
