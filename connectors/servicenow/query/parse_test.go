package query

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func c(field, op, value string) Cond { return Cond{field, op, value} }

// and builds a group of single-condition terms.
func and(conds ...Cond) Group {
	g := Group{}
	for _, c := range conds {
		g.Terms = append(g.Terms, Term{Conds: []Cond{c}})
	}
	return g
}

func TestParse(t *testing.T) {
	tests := []struct {
		name, in string
		want     *Query
		canon    string // canonical String(); "" means same as in
	}{
		{name: "empty", in: "", want: &Query{}},
		{name: "single", in: "state=6", want: &Query{Groups: []Group{and(c("state", "=", "6"))}}},
		{
			name: "or binds adjacent only", in: "a=1^ORb=2^c=3",
			want: &Query{Groups: []Group{{Terms: []Term{
				{Conds: []Cond{c("a", "=", "1"), c("b", "=", "2")}},
				{Conds: []Cond{c("c", "=", "3")}},
			}}}},
		},
		{
			name: "nq groups", in: "a=1^b=2^NQc=3",
			want: &Query{Groups: []Group{and(c("a", "=", "1"), c("b", "=", "2")), and(c("c", "=", "3"))}},
		},
		{
			name: "orderby", in: "active=true^ORDERBYnumber^ORDERBYDESCcategory",
			want: &Query{
				Groups:  []Group{and(c("active", "=", "true"))},
				OrderBy: []Order{{"number", false}, {"category", true}},
			},
		},
		{
			name: "order only", in: "ORDERBYsys_updated_on^ORDERBYsys_id",
			want: &Query{OrderBy: []Order{{"sys_updated_on", false}, {"sys_id", false}}},
		},
		{
			name: "order before conditions", in: "ORDERBYDESCnumber^state=1",
			want:  &Query{Groups: []Group{and(c("state", "=", "1"))}, OrderBy: []Order{{"number", true}}},
			canon: "state=1^ORDERBYDESCnumber",
		},
		{
			name: "keyset cursor (reference 2.4)",
			in:   "sys_updated_on>2024-01-01 10:00:00^NQsys_updated_on=2024-01-01 10:00:00^sys_id>abc^ORDERBYsys_updated_on^ORDERBYsys_id",
			want: &Query{
				Groups: []Group{
					and(c("sys_updated_on", ">", "2024-01-01 10:00:00")),
					and(c("sys_updated_on", "=", "2024-01-01 10:00:00"), c("sys_id", ">", "abc")),
				},
				OrderBy: []Order{{"sys_updated_on", false}, {"sys_id", false}},
			},
		},
		{
			name: "trailing EQ", in: "drop_off=false^stage=draft^EQ",
			want:  &Query{Groups: []Group{and(c("drop_off", "=", "false"), c("stage", "=", "draft"))}},
			canon: "drop_off=false^stage=draft",
		},
		{
			name: "EQ then ORDERBY", in: "active=true^EQ^ORDERBYnumber",
			want:  &Query{Groups: []Group{and(c("active", "=", "true"))}, OrderBy: []Order{{"number", false}}},
			canon: "active=true^ORDERBYnumber",
		},
		{
			name: "leading caret", in: "^ORDERBYnumber",
			want: &Query{OrderBy: []Order{{"number", false}}}, canon: "ORDERBYnumber",
		},
		{
			name: "all operators",
			in:   "a!=1^b>1^c>=1^d<1^e<=1^fIN1,2,3^gNOT IN1,2^hLIKEsap^iNOT LIKEx^jSTARTSWITHINC^kENDSWITHz^lISEMPTY^mISNOTEMPTY^nANYTHING^oEMPTYSTRING^pBETWEEN1@5^qSAMEASr^sNSAMEASt",
			want: &Query{Groups: []Group{and(
				c("a", "!=", "1"), c("b", ">", "1"), c("c", ">=", "1"), c("d", "<", "1"), c("e", "<=", "1"),
				c("f", "IN", "1,2,3"), c("g", "NOT IN", "1,2"), c("h", "LIKE", "sap"), c("i", "NOT LIKE", "x"),
				c("j", "STARTSWITH", "INC"), c("k", "ENDSWITH", "z"), c("l", "ISEMPTY", ""), c("m", "ISNOTEMPTY", ""),
				c("n", "ANYTHING", ""), c("o", "EMPTYSTRING", ""), c("p", "BETWEEN", "1@5"), c("q", "SAMEAS", "r"),
				c("s", "NSAMEAS", "t"),
			)}},
		},
		{
			name: "aliases normalise", in: "stateNOTIN6,7^descNOTLIKEfoo^short_description*sap^x!*y^number%42",
			want: &Query{Groups: []Group{and(
				c("state", "NOT IN", "6,7"), c("desc", "NOT LIKE", "foo"), c("short_description", "LIKE", "sap"),
				c("x", "NOT LIKE", "y"), c("number", "ENDSWITH", "42"),
			)}},
			canon: "stateNOT IN6,7^descNOT LIKEfoo^short_descriptionLIKEsap^xNOT LIKEy^numberENDSWITH42",
		},
		{
			name: "dot walk and javascript kept verbatim",
			in:   "caller_id.user_name=beth.anglin^sys_updated_on>javascript:gs.dateGenerate('2024-01-01','10:00:00')",
			want: &Query{Groups: []Group{and(
				c("caller_id.user_name", "=", "beth.anglin"),
				c("sys_updated_on", ">", "javascript:gs.dateGenerate('2024-01-01','10:00:00')"),
			)}},
		},
		{
			name: "values may contain operator characters", in: "a==b^short_description=x=y<z^c=",
			want: &Query{Groups: []Group{and(c("a", "=", "=b"), c("short_description", "=", "x=y<z"), c("c", "=", ""))}},
		},
		{
			name: "correlation filter (reference 6.1)", in: "correlation_display=okta-workflows^approval=approved^stateNOT IN6,7,8",
			want: &Query{Groups: []Group{and(
				c("correlation_display", "=", "okta-workflows"), c("approval", "=", "approved"), c("state", "NOT IN", "6,7,8"),
			)}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Parse(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
			canon := tt.canon
			if canon == "" {
				canon = tt.in
			}
			if s := got.String(); s != canon {
				t.Errorf("String() = %q, want %q", s, canon)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		in, msg string
		offset  int
	}{
		{"stat~6", `unknown operator in "stat~6"`, 4},
		{"a=1^^b=2", "empty condition", 4},
		{"a=1^", "empty condition", 4},
		{"state", `missing operator in "state"`, 5},
		{"=6", `missing field name in "=6"`, 0},
		{"a=1^ORDERBY", `missing field name in "ORDERBY"`, 11},
		{"ORa=1", `missing field name in "ORa=1"`, 0},
		{"ORDERBYx^ORb=2", "^OR without a preceding condition", 9},
		{"a=1^NQ", "empty condition", 6},
		{"a=1^NQORDERBYx", "empty ^NQ group", 6},
		{"ORDERBYx^NQa=1", "^NQ without a preceding condition", 9},
		{"aISEMPTYx", "operator ISEMPTY takes no value", 1},
		{"aBETWEEN1", "BETWEEN needs two values separated by @", 1},
		{"aSAMEASB", "SAMEAS needs a field name", 1},
		{"a=1^state VALCHANGES", `unknown operator in "state VALCHANGES"`, 9},
		{"ORDERBYNumber", "invalid field name", 7},
		{"stateVALCHANGES", `operator VALCHANGES is not supported in "stateVALCHANGES"`, 5},
		{"a=1^sys_created_onONToday@javascript:gs.daysAgoStart(0)", "operator ON is not supported", 18},
		{"a=1^RLQUERYtask_sla.task,>=1^ENDRLQUERY", "RLQUERY clauses are not supported", 4},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := Parse(tt.in)
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) error = %v, want *SyntaxError", tt.in, err)
			}
			if !strings.Contains(se.Msg, tt.msg) || se.Offset != tt.offset {
				t.Errorf("Parse(%q) = {%d, %q}, want {%d, ~%q}", tt.in, se.Offset, se.Msg, tt.offset, tt.msg)
			}
		})
	}
}

func TestFields(t *testing.T) {
	q, err := Parse("a=1^ORb=2^NQa=3^cSAMEASd^ORDERBYe^ORDERBYDESCa")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"a", "b", "c", "d", "e"}, q.Fields()); diff != "" {
		t.Errorf("Fields mismatch (-want +got):\n%s", diff)
	}
}

func TestAnd(t *testing.T) {
	must := func(s string) *Query {
		q, err := Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		return q
	}
	tests := []struct {
		a, b, want string
	}{
		{
			"sys_updated_on>T^NQsys_updated_on=T^sys_id>X^ORDERBYsys_updated_on^ORDERBYsys_id",
			"correlation_display=cardflow^active=true",
			"sys_updated_on>T^correlation_display=cardflow^active=true^NQsys_updated_on=T^sys_id>X^correlation_display=cardflow^active=true^ORDERBYsys_updated_on^ORDERBYsys_id",
		},
		{"a=1^NQa=2", "b=1^NQb=2", "a=1^b=1^NQa=1^b=2^NQa=2^b=1^NQa=2^b=2"},
		{"", "b=1^ORDERBYx", "b=1^ORDERBYx"},
		{"a=1^ORDERBYx", "", "a=1^ORDERBYx"},
		{"a=1^ORDERBYx", "b=2^ORDERBYDESCx^ORDERBYy", "a=1^b=2^ORDERBYx^ORDERBYy"},
	}
	for _, tt := range tests {
		a, b := must(tt.a), must(tt.b)
		aBefore, bBefore := a.String(), b.String()
		if got := And(a, b).String(); got != tt.want {
			t.Errorf("And(%q, %q) = %q, want %q", tt.a, tt.b, got, tt.want)
		}
		if a.String() != aBefore || b.String() != bBefore {
			t.Errorf("And modified its arguments")
		}
	}
	if got := And(nil, nil).String(); got != "" {
		t.Errorf("And(nil, nil) = %q", got)
	}
}

func TestOperatorsAllParse(t *testing.T) {
	for _, op := range Operators() {
		value := "x"
		switch op {
		case OpIsEmpty, OpIsNotEmpty, OpAnything, OpEmptyString:
			value = ""
		case OpBetween:
			value = "1@2"
		}
		s := "field" + op + value
		q, err := Parse(s)
		if err != nil {
			t.Errorf("Parse(%q): %v", s, err)
			continue
		}
		if got := q.Groups[0].Terms[0].Conds[0].Op; got != op {
			t.Errorf("Parse(%q) op = %q", s, got)
		}
	}
}
