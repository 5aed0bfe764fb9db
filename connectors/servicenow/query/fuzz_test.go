package query

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzParse checks that Parse never panics and that every query it accepts
// prints to a string that parses back to the same Query.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"", "a=1^ORb=2^c=3", "a=1^b=2^NQc=3", "active=true^ORDERBYnumber^ORDERBYDESCcategory",
		"sys_updated_on>2024-01-01 10:00:00^NQsys_updated_on=2024-01-01 10:00:00^sys_id>abc^ORDERBYsys_updated_on^ORDERBYsys_id",
		"drop_off=false^stage=draft^EQ", "stateNOTIN6,7^x!*y^n%4^s*z", "pBETWEEN1@5", "qSAMEASr",
		"stat~6", "a=1^^b", "^ORDERBYx", "a==b<c", "javascript:x", "sys_updated_on>javascript:gs.dateGenerate('2024-01-01','10:00:00')",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := Parse(s)
		if err != nil {
			if _, ok := err.(*SyntaxError); !ok {
				t.Fatalf("Parse(%q) error %T, want *SyntaxError", s, err)
			}
			return
		}
		printed := q.String()
		q2, err := Parse(printed)
		if err != nil {
			t.Fatalf("Parse(%q) ok but re-parsing %q failed: %v", s, printed, err)
		}
		if diff := cmp.Diff(q, q2); diff != "" {
			t.Fatalf("round trip of %q via %q differs (-first +second):\n%s", s, printed, diff)
		}
		if printed2 := q2.String(); printed2 != printed {
			t.Fatalf("String not stable: %q then %q", printed, printed2)
		}
		q.Match(map[string]string{"a": "1", "sys_id": "x"}, MatchOptions{})
		_ = q.Fields()
		_ = And(q, q2)
	})
}
