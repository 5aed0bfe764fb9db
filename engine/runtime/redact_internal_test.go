package runtime

import (
	"encoding/json"
	"math/big"
	"strings"
	"testing"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/lang"
	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"
)

// TestAppendJSON checks that the journal's encoder writes what
// encoding/json writes for connector.ToGo of the same value.
func TestAppendJSON(t *testing.T) {
	huge, _, _ := big.ParseFloat("123456789012345678901234567890", 10, 512, big.ToNearestEven)
	tests := []struct {
		name string
		v    cty.Value
	}{
		{"plain string", cty.StringVal("jane.doe@example.com")},
		{"escapes", cty.StringVal("quote \" backslash \\ <b>&amp;</b> \n\r\t\b\f \x01 \x1f")},
		{"unicode", cty.StringVal("Zoë 日本 \u2028 \u2029 😀")},
		{"invalid utf-8", cty.StringVal("a\xffb")},
		{"integer", cty.NumberIntVal(-42)},
		{"big integer", cty.NumberVal(huge)},
		{"fraction", cty.NumberFloatVal(3.25)},
		{"tiny", cty.NumberFloatVal(1e-9)},
		{"bool", cty.True},
		{"null", cty.NullVal(cty.String)},
		{"object", cty.ObjectVal(map[string]cty.Value{
			"b": cty.ListVal([]cty.Value{cty.StringVal("x"), cty.StringVal("y")}),
			"a": cty.MapVal(map[string]cty.Value{"z": cty.NumberIntVal(1), "k<": cty.NumberIntVal(2)}),
			"c": cty.TupleVal([]cty.Value{cty.True, cty.NullVal(cty.Number), cty.EmptyObjectVal}),
			"d": cty.SetVal([]cty.Value{cty.StringVal("s2"), cty.StringVal("s1")}),
		})},
		{"empty list", cty.ListValEmpty(cty.String)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := connector.ToGo(tt.v)
			if err != nil {
				t.Fatal(err)
			}
			want, err := json.Marshal(g)
			if err != nil {
				t.Fatal(err)
			}
			s := newSecrets(nil)
			if diff := cmp.Diff(string(want), string(s.json(tt.v))); diff != "" {
				t.Errorf("json (-encoding/json +ours):\n%s", diff)
			}
			if tt.v.Type().IsObjectType() {
				names := connector.SortedKeys(tt.v.Type().AttributeTypes())
				if diff := cmp.Diff(string(want), string(s.appendObjectJSON(nil, tt.v, names))); diff != "" {
					t.Errorf("appendObjectJSON (-encoding/json +ours):\n%s", diff)
				}
			}
		})
	}
}

func TestAppendJSONRedacts(t *testing.T) {
	s := newSecrets([]string{"hunter22"})
	v := cty.ObjectVal(map[string]cty.Value{
		"marked":   cty.StringVal("x").Mark(lang.Sensitive),
		"deep":     cty.ListVal([]cty.Value{cty.StringVal("y").Mark(lang.Sensitive)}),
		"echoed":   cty.StringVal("Bearer hunter22!"),
		"ordinary": cty.StringVal("ok"),
	})
	want := `{"deep":["(sensitive)"],"echoed":"Bearer (sensitive)!","marked":"(sensitive)","ordinary":"ok"}`
	if diff := cmp.Diff(want, string(s.json(v))); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestScrubShortestSecret checks scrub's shortcut for strings shorter
// than every secret: a string exactly as long as the shortest spelling is
// still scrubbed, in a value and in a key.
func TestScrubShortestSecret(t *testing.T) {
	s := newSecrets(withSpellings([]string{"hunter22", "a-much-longer-secret"}))
	list := *s.list.Load()
	shortest := list[len(list)-1]
	if len(shortest) != len("hunter22") {
		t.Fatalf("the shortest spelling is %q", shortest)
	}
	for _, str := range []string{"hunter22", "xhunter22", "hunter2", ""} {
		want := strings.ReplaceAll(str, "hunter22", Redacted)
		if got := s.scrub(str); got != want {
			t.Errorf("scrub(%q) = %q, want %q", str, got, want)
		}
	}
	v := cty.MapVal(map[string]cty.Value{"hunter22": cty.StringVal("a-much-longer-secret")})
	if got, want := string(s.json(v)), `{"(sensitive)":"(sensitive)"}`; got != want {
		t.Errorf("json = %s, want %s", got, want)
	}
}

// FuzzAppendJSON holds the journal's encoder to encoding/json: any JSON
// document, as a cty value, is written as encoding/json writes
// connector.ToGo of it.
func FuzzAppendJSON(f *testing.F) {
	for _, doc := range []string{`"x"`, `{"a":[1,2.5,"<&>"],"b":{"c":null,"d":true}}`, `[1e400,-0,12345678901234567890]`,
		`{"é":"\u2028","k\u00e9":"\ud800"}`, `"a\u0000b"`, `[[],{},[{}]]`} {
		f.Add([]byte(doc))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := connector.FromJSON(data, cty.DynamicPseudoType)
		if err != nil {
			return
		}
		g, err := connector.ToGo(v)
		if err != nil {
			return
		}
		want, err := json.Marshal(g)
		if err != nil {
			return
		}
		if got := newSecrets(nil).json(v); string(got) != string(want) {
			t.Errorf("json(%.200q):\n got %s\nwant %s", data, got, want)
		}
	})
}
