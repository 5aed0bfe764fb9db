package lang

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPredicatePaths(t *testing.T) {
	attrs := []string{"event", "record", "var"}
	cases := []struct {
		src  string
		want []string // each path joined with "/"; "" is the whole trigger
		ok   bool
	}{
		{`trigger.event.uuid == "x"`, []string{"event/uuid"}, true},
		{`trigger.event.target[0].displayName != ""`, []string{"event/target/0/displayName"}, true},
		{`trigger["event"]["uuid"] == "x"`, []string{"event/uuid"}, true},
		{`trigger?.event?.uuid == "x"`, []string{"event/uuid"}, true},
		{`record.state == '6'`, []string{"record/state"}, true},
		{`var.x == 1 && card.a.b == 2`, nil, true},
		{`trigger.event.target[i].id == "x"`, []string{"event/target"}, true},
		{`trigger.event.target[1:2] != nil`, []string{"event/target"}, true},
		{`any(trigger.event.target, .type == 'User')`, []string{"event/target"}, true},
		{`len(event.target) > 0`, []string{"event/target"}, true},
		{`trigger != nil`, []string{""}, true},
		{`trigger.event.uuid.foo() == 1`, []string{"event/uuid"}, true},
		{`$env.trigger.event.uuid == "x"`, nil, false},
		{`trigger.event.uuid ==`, nil, false},
	}
	for _, tc := range cases {
		paths, ok := PredicatePaths(tc.src, attrs)
		var got []string
		for _, p := range paths {
			got = append(got, strings.Join(p, "/"))
		}
		if ok != tc.ok || !cmp.Equal(got, tc.want) {
			t.Errorf("PredicatePaths(%q) = %q, %v; want %q, %v", tc.src, got, ok, tc.want, tc.ok)
		}
	}
}
