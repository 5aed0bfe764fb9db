package query

import (
	"slices"
	"testing"
	"time"
	// The time zone database, so TestResolveValue runs on machines
	// without one installed.
	_ "time/tzdata"

	"github.com/google/go-cmp/cmp"
)

func TestMatch(t *testing.T) {
	rec := map[string]string{
		"number": "INC0010042", "state": "6", "priority": "10", "active": "true",
		"short_description": "Approve access for Kari", "close_code": "", "sys_id": "9d38",
		"sys_updated_on": "2026-11-20 10:02:41", "assigned_to": "9d38", "caller_id": "",
	}
	tests := []struct {
		q      string
		want   bool
		strict bool
	}{
		{q: "", want: true},
		{q: "state=6", want: true},
		{q: "state=6.0", want: true}, // numeric when both sides are numbers
		{q: "state!=6", want: false},
		{q: "priority>9", want: true}, // numeric, not "10" < "9"
		{q: "priority<9", want: false},
		{q: "number>INC0010041", want: true},
		{q: "sys_updated_on>=2026-11-20 10:02:41", want: true},
		{q: "sys_updated_on>2026-11-20 10:02:41", want: false},
		{q: "sys_updated_on<2026-11-21 00:00:00", want: true},
		{q: "caller_id>a", want: false}, // empty never orders
		{q: "stateIN1,2,6", want: true},
		{q: "stateIN1,2", want: false},
		{q: "stateNOT IN6,7,8", want: false},
		{q: "stateNOTIN1,2", want: true},
		{q: "short_descriptionLIKEapprove", want: true}, // case-insensitive
		{q: "short_descriptionNOT LIKEkari", want: false},
		{q: "numberSTARTSWITHinc", want: true},
		{q: "numberENDSWITH42", want: true},
		{q: "close_codeISEMPTY", want: true},
		{q: "close_codeISNOTEMPTY", want: false},
		{q: "close_codeEMPTYSTRING", want: true},
		{q: "stateANYTHING", want: true},
		{q: "priorityBETWEEN5@10", want: true},
		{q: "priorityBETWEEN11@20", want: false},
		{q: "sys_idSAMEASassigned_to", want: true},
		{q: "sys_idNSAMEASassigned_to", want: false},
		{q: "state=1^ORstate=6^active=true", want: true},
		{q: "state=1^ORstate=2^active=true", want: false},
		{q: "state=1^active=true^NQnumber=INC0010042", want: true},
		{q: "state=1^NQnumber=INC0", want: false},
		{q: "sys_updated_on>2026-11-20 10:00:00^NQsys_updated_on=2026-11-20 10:02:41^sys_id>9d37", want: true},
		{q: "sys_updated_on>2026-11-20 10:02:41^NQsys_updated_on=2026-11-20 10:02:41^sys_id>9d38", want: false},
		{q: "sys_updated_on>=javascript:gs.dateGenerate('2026-11-20','10:02:41')", want: true},
		{q: "sys_updated_on>javascript:gs.dateGenerate('2026-11-20','end')", want: false},
		{q: "caller_id=javascript:gs.getUserID()", want: false}, // cannot be evaluated
		{q: "bogus=1^state=6", want: true},                      // unknown field dropped
		{q: "bogus=1^ORstate=1", want: false},
		{q: "bogus=1", want: true},
		{q: "bogus=1^state=6", strict: true, want: false},
		{q: "state=6^NQbogus=1", strict: true, want: false}, // no rows at all, not just no group
		{q: "state=6^NQstate=1", strict: true, want: true},
		{q: "sys_idSAMEASbogus", want: true},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			q, err := Parse(tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if got := q.Match(rec, MatchOptions{Strict: tt.strict}); got != tt.want {
				t.Errorf("Match(%q) = %v, want %v", tt.q, got, tt.want)
			}
		})
	}
}

func TestLessKeyset(t *testing.T) {
	recs := []map[string]string{
		{"sys_id": "c", "sys_updated_on": "2026-11-20 10:00:00", "priority": "10"},
		{"sys_id": "a", "sys_updated_on": "2026-11-20 10:00:01", "priority": "9"},
		{"sys_id": "b", "sys_updated_on": "2026-11-20 10:00:00", "priority": "9"},
	}
	ids := func(order string) []string {
		q, err := Parse(order)
		if err != nil {
			t.Fatal(err)
		}
		rs := slices.Clone(recs)
		less := Less(q.OrderBy)
		slices.SortStableFunc(rs, func(a, b map[string]string) int {
			switch {
			case less(a, b):
				return -1
			case less(b, a):
				return 1
			}
			return 0
		})
		var out []string
		for _, r := range rs {
			out = append(out, r["sys_id"])
		}
		return out
	}
	if diff := cmp.Diff([]string{"b", "c", "a"}, ids("ORDERBYsys_updated_on^ORDERBYsys_id")); diff != "" {
		t.Errorf("keyset order (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"c", "a", "b"}, ids("ORDERBYDESCpriority^ORDERBYDESCsys_updated_on")); diff != "" {
		t.Errorf("desc numeric order (-want +got):\n%s", diff)
	}

	// Walking the keyset cursor from (10:00:00, b) must yield c then a.
	cursor, err := Parse("sys_updated_on>2026-11-20 10:00:00^NQsys_updated_on=2026-11-20 10:00:00^sys_id>b")
	if err != nil {
		t.Fatal(err)
	}
	var next []string
	for _, r := range recs {
		if cursor.Match(r, MatchOptions{}) {
			next = append(next, r["sys_id"])
		}
	}
	slices.Sort(next)
	if diff := cmp.Diff([]string{"a", "c"}, next); diff != "" {
		t.Errorf("cursor matches (-want +got):\n%s", diff)
	}
}

func TestResolveValue(t *testing.T) {
	oslo, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		in   string
		loc  *time.Location
		want string
		err  bool
	}{
		{in: "2024-01-01 10:00:00", want: "2024-01-01 10:00:00"},
		{in: "javascript:gs.dateGenerate('2024-01-01','10:00:00')", want: "2024-01-01 10:00:00"},
		{in: "javascript:gs.dateGenerate('2024-01-01','10:00:00')", loc: oslo, want: "2024-01-01 09:00:00"},
		{in: `javascript:gs.dateGenerate("2024-07-01", "start")`, loc: oslo, want: "2024-06-30 22:00:00"},
		{in: "javascript:gs.dateGenerate('2024-01-01','end')", want: "2024-01-01 23:59:59"},
		{in: "javascript:gs.getUserID()", err: true},
		{in: "javascript:gs.dateGenerate('2024-13-01','10:00:00')", err: true},
	}
	for _, tt := range tests {
		got, err := ResolveValue(tt.in, tt.loc)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("ResolveValue(%q) = %q, %v; want %q, err=%v", tt.in, got, err, tt.want, tt.err)
		}
	}
	q, err := Parse("aBETWEENjavascript:gs.dateGenerate('2024-01-01','start')@javascript:gs.dateGenerate('2024-01-01','end')^b=1")
	if err != nil {
		t.Fatal(err)
	}
	r, err := q.Resolve(nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := r.String(), "aBETWEEN2024-01-01 00:00:00@2024-01-01 23:59:59^b=1"; got != want {
		t.Errorf("Resolve = %q, want %q", got, want)
	}
}
