package servicenow

import (
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

func TestLintFields(t *testing.T) {
	str := cty.StringVal
	tests := []struct {
		name  string
		table string // lintFields' argument
		in    map[string]cty.Value
		want  []string // "arg/key: field → hint"
	}{
		{"map keys, values not known yet", "", map[string]cty.Value{
			"table":  str("incident"),
			"fields": cty.MapVal(map[string]cty.Value{"short_descripton": cty.UnknownVal(cty.String), "description": str("x")}),
		}, []string{`fields/short_descripton: "short_descripton" → "short_description"`}},
		{"dot-walk: the first step is the table's", "", map[string]cty.Value{
			"table":  str("incident"),
			"fields": cty.ListVal([]cty.Value{str("caller_id.email"), str("calller_id.email")}),
		}, []string{`fields/calller_id.email: "calller_id" → "caller_id"`}},
		{"query conditions and ORDERBY", "", map[string]cty.Value{
			"table": str("sys_user"),
			"query": str("active=true^ORDERBYuser_nam"),
		}, []string{`query/: "user_nam" → "user_name"`}},
		{"the incident actions name no table", "incident", map[string]cty.Value{
			"fields": cty.MapVal(map[string]cty.Value{"close_note": str("done")}),
		}, []string{`fields/close_note: "close_note" → "close_notes"`}},
		{"custom fields, far names, unknown tables and unknown values pass", "", map[string]cty.Value{
			"table":  str("incident"),
			"fields": cty.MapVal(map[string]cty.Value{"u_short_descripton": str("x"), "business_impact": str("x")}),
			"query":  cty.UnknownVal(cty.String),
		}, nil},
		{"choice labels in a write: with or without their number, any case", "incident", map[string]cty.Value{
			"fields": cty.MapVal(map[string]cty.Value{
				"impact": str("1 - High"), "urgency": str("low"), "state": str("In progress"),
				"approval": str("approved"), "category": str("Network"), "severity": str("2"),
				"description": str("High"), "u_tier": str("High"),
			}),
		}, []string{
			`fields/category: "Network" → "network"`,
			`fields/impact: "1 - High" → "1"`,
			`fields/state: "In progress" → "2"`,
			`fields/urgency: "low" → "3"`,
		}},
		{"choice labels in a query", "", map[string]cty.Value{
			"table": str("incident"),
			"query": str("active=true^stateINNew,2^NQpriority!=Planning^impactISNOTEMPTY"),
		}, []string{`query/: "New" → "1"`, `query/: "Planning" → "5"`}},
		{"a table cardflow does not know", "", map[string]cty.Value{
			"table":  str("u_access_request"),
			"fields": cty.MapVal(map[string]cty.Value{"short_descripton": str("x")}),
		}, nil},
		{"a table not known yet", "", map[string]cty.Value{
			"table":  cty.UnknownVal(cty.String),
			"fields": cty.MapVal(map[string]cty.Value{"short_descripton": str("x")}),
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, f := range lintFields(tt.table)(cty.ObjectVal(tt.in)) {
				if f.Summary != "Unknown ServiceNow field" && f.Summary != "ServiceNow choice label instead of its value" {
					t.Errorf("summary %q", f.Summary)
				}
				field, hint := quotedPair(f.Detail)
				got = append(got, f.Arg+"/"+f.Key+": "+field+" → "+hint)
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// quotedPair returns the first two quoted words of a finding's detail: the
// field and the suggestion.
func quotedPair(s string) (string, string) {
	parts := strings.Split(s, `"`)
	if len(parts) < 5 {
		return s, ""
	}
	return `"` + parts[1] + `"`, `"` + parts[3] + `"`
}
