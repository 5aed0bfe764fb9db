package core

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/engine/connector"
)

// literal is the value of an HCL expression, as a flow writes a result.
func literal(t *testing.T, src string) cty.Value {
	t.Helper()
	expr, diags := hclsyntax.ParseExpression([]byte(src), "result.hcl", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatalf("%s: %s", src, diags)
	}
	v, diags := expr.Value(nil)
	if diags.HasErrors() {
		t.Fatalf("%s: %s", src, diags)
	}
	return v
}

// TestCheckRawAgreesWithRender: for a result known before the flow runs,
// validate's check of a raw reply refuses exactly what the server's
// renderRaw refuses when the execution returns it.
func TestCheckRawAgreesWithRender(t *testing.T) {
	for _, src := range []string{
		`null`, `{}`, `{"body": "ok"}`, `{"status": 201, "body": {"a": [1]}}`,
		`{"status": 200, "headers": {"Content-Type": "text/csv", "X-Count": 3, "X-Flag": true, "X-Gone": null}}`,
		`{"status": "404"}`, `{"status": null}`, `{"STATUS": 204}`, `{"Headers": {"X-A": "a"}}`,
		`{"status": 99}`, `{"status": 600}`, `{"status": 200.5}`, `{"status": "abc"}`, `{"status": "2e2"}`,
		`{"status": "+200"}`, `{"status": " 200"}`, `{"status": true}`, `{"status": [200]}`,
		`{"statusCode": 200}`, `{"status": 200, "reason": "x"}`,
		`{"headers": ["X-A"]}`, `{"headers": "X-A: a"}`, `{"headers": {"X A": "a"}}`, `{"headers": {"": "a"}}`,
		`{"headers": {"X-A": "a\r\nSet-Cookie: x=1"}}`, `{"headers": {"X-A": "a\u0000"}}`, `{"headers": {"X-A": {"b": 1}}}`,
		`{"headers": {"X-A": ["a"]}}`, `{"headers": {"Content-Length": "99"}}`, `{"headers": null}`,
		`"text"`, `200`, `["a"]`, `true`,
	} {
		v := literal(t, src)
		findings := checkRaw(v)
		var err error
		if !v.IsNull() {
			g, gerr := connector.ToGo(v)
			if gerr != nil {
				t.Fatal(gerr)
			}
			b := jsonOf(t, g)
			_, err = renderRaw(b)
		}
		if (err != nil) != (len(findings) > 0) {
			t.Errorf("%s: renderRaw says %v, checkRaw %+v", src, err, findings)
		}
		for _, f := range findings {
			if f.Summary != "Invalid raw reply" || !strings.HasSuffix(f.Detail, "answered 500 each time the flow returns this result.") {
				t.Errorf("%s: finding %+v", src, f)
			}
		}
	}
}

// TestCheckRawTypes: parts known only when the flow runs are refused when
// their type can never be right, and taken when it may be.
func TestCheckRawTypes(t *testing.T) {
	obj := func(attrs map[string]cty.Value) cty.Value { return cty.ObjectVal(attrs) }
	unknown := cty.UnknownVal
	for _, tt := range []struct {
		name   string
		result cty.Value
		key    string // "" for no finding; "-" for one on the whole result
		detail string
	}{
		{"any value", cty.DynamicVal, "", ""},
		{"a card's object", unknown(cty.Object(map[string]cty.Type{"status": cty.Number, "body": cty.String})), "", ""},
		{"a card's map", unknown(cty.Map(cty.String)), "", ""},
		{"a card's string", unknown(cty.String), "-", "not a string"},
		{"a card's list", unknown(cty.List(cty.String)), "-", "not a list of string"},
		{"status number", obj(map[string]cty.Value{"status": unknown(cty.Number)}), "", ""},
		{"status string", obj(map[string]cty.Value{"status": unknown(cty.String)}), "", ""},
		{"status bool", obj(map[string]cty.Value{"status": unknown(cty.Bool)}), "status", "not a bool"},
		{"unknown attribute", obj(map[string]cty.Value{"statusCode": unknown(cty.Number)}), "statusCode", `Did you mean "status"?`},
		{"headers map of strings", obj(map[string]cty.Value{"headers": unknown(cty.Map(cty.String))}), "", ""},
		{"headers map of lists", obj(map[string]cty.Value{"headers": unknown(cty.Map(cty.List(cty.String)))}), "headers", "The value of each header is a string, not a list of string."},
		{"headers string", obj(map[string]cty.Value{"headers": unknown(cty.String)}), "headers", "not a string"},
		{"header from a card", obj(map[string]cty.Value{"headers": obj(map[string]cty.Value{"X-User": unknown(cty.String)})}), "", ""},
		{"header name", obj(map[string]cty.Value{"headers": obj(map[string]cty.Value{"X User": unknown(cty.String)})}), "headers", `"X User" is not a header name`},
		{"header object", obj(map[string]cty.Value{"headers": obj(map[string]cty.Value{"X-User": unknown(cty.Object(map[string]cty.Type{"id": cty.String}))})}), "headers", "The value of header X-User is a string, not an object."},
		{"body anything", obj(map[string]cty.Value{"body": unknown(cty.List(cty.Bool))}), "", ""},
		{"literal", obj(map[string]cty.Value{"status": cty.NumberIntVal(700)}), "status", "The status 700 is not"},
		{"sensitive", obj(map[string]cty.Value{"status": cty.NumberIntVal(7001234).Mark("sensitive")}), "status", "The status, a sensitive value, is not"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			findings := checkRaw(tt.result)
			if tt.key == "" {
				if len(findings) != 0 {
					t.Errorf("findings %+v, want none", findings)
				}
				return
			}
			want := tt.key
			if want == "-" {
				want = ""
			}
			if len(findings) != 1 || findings[0].Key != want || !strings.Contains(findings[0].Detail, tt.detail) {
				t.Errorf("findings %+v, want one on %q with %q", findings, want, tt.detail)
			}
			if len(findings) == 1 && strings.Contains(findings[0].Detail, "7001234") {
				t.Errorf("the sensitive status is shown: %q", findings[0].Detail)
			}
		})
	}
}

// TestLintReply: a reply_timeout written beside a receipt (the default
// reply included) is a finding on it; one beside a waiting reply, or
// none, is not.
func TestLintReply(t *testing.T) {
	trig, _ := HTTP().Trigger("endpoint")
	cfg := func(reply, timeout cty.Value) cty.Value {
		return cty.ObjectVal(map[string]cty.Value{"token": cty.StringVal("t"), "reply": reply, "reply_timeout": timeout})
	}
	str, none := cty.StringVal, cty.NullVal(cty.String)
	for _, tt := range []struct {
		cfg  cty.Value
		want bool
	}{
		{cfg(str("receipt"), str("2500ms")), true},
		{cfg(str("receipt"), str("10s")), true},
		{cfg(str("receipt"), none), false},
		{cfg(str("result"), str("2500ms")), false},
		{cfg(str("raw"), str("2500ms")), false},
		{cfg(cty.UnknownVal(cty.String), str("2500ms")), false},
	} {
		got := trig.Lint(tt.cfg)
		if (len(got) == 1 && got[0].Arg == "reply_timeout") != tt.want || len(got) > 1 {
			t.Errorf("%#v: %+v, want a finding on reply_timeout: %v", tt.cfg, got, tt.want)
		}
	}
}

func jsonOf(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
