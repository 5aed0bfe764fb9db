package flatjson

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// reference decodes b as encoding/json does into a map of strings; ok is
// false when encoding/json refuses it.
func reference(b []byte) (map[string]string, bool) {
	var m map[string]string
	if json.Unmarshal(b, &m) != nil || m == nil {
		return nil, false
	}
	return m, true
}

var cases = []struct {
	name string
	body string
	ok   bool
}{
	{"strings", `{"sys_id":"abc","number":"INC0010001","active":"true","empty":""}`, true},
	{"whitespace", " \n{ \"a\" :\t\"1\" ,\r\n\"b\":\"2\" }\n ", true},
	{"empty", `{}`, true},
	{"escapes", `{"d":"line\nnext \"q\" \\ \/ \t \b \f \r","u":"\u00e9\u2028 \ud83d\ude00 \ud800 lone","k\u0065y":"v"}`, true},
	{"utf-8", `{"d":"é 漢字 🙂"}`, true},
	{"duplicate keys", `{"a":"1","a":"2"}`, true},
	{"invalid utf-8", "{\"d\":\"a\xffb\"}", true}, // U+FFFD, as encoding/json unquotes it
	{"control character", "{\"d\":\"a\x01b\"}", false},
	{"number", `{"n":3}`, false},
	{"object", `{"r":{"value":"1"}}`, false},
	{"null", `null`, false},
	{"null value", `{"a":null}`, false},
	{"trailing data", `{"a":"1"} x`, false},
	{"trailing comma", `{"a":"1",}`, false},
	{"truncated", `{"a":"1"`, false},
	{"unterminated string", `{"a":"1}`, false},
	{"array", `[{"a":"1"}]`, false},
	{"nothing", ``, false},
}

func TestObject(t *testing.T) {
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Object([]byte(tt.body))
			if ok != tt.ok {
				t.Fatalf("ok = %v, want %v", ok, tt.ok)
			}
			if ok {
				want, _ := reference([]byte(tt.body))
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("(-encoding/json +Object):\n%s", diff)
				}
			}
		})
	}
}

func TestMember(t *testing.T) {
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			body := `{"result":` + tt.body + `}`
			got, ok := Member([]byte(body), "result")
			if ok != tt.ok && tt.name != "trailing data" { // inside the envelope it is a syntax error
				t.Fatalf("ok = %v, want %v", ok, tt.ok)
			}
			if ok {
				want, _ := reference([]byte(tt.body))
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("(-encoding/json +Member):\n%s", diff)
				}
			}
		})
	}
	for _, body := range []string{`{"Result":{}}`, `{"status":"x","result":{}}`, `{"result":{},"status":"x"}`, `{"result":{}} {}`, `{"res\u0075lt":{}}`} {
		if _, ok := Member([]byte(body), "result"); ok {
			t.Errorf("Member(%s) accepted it", body)
		}
	}
}

// FuzzObject holds Object to encoding/json: whatever it accepts decodes as
// encoding/json decodes it.
func FuzzObject(f *testing.F) {
	for _, tt := range cases {
		f.Add([]byte(tt.body))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, ok := Object(b)
		if !ok {
			return
		}
		want, wantOK := reference(b)
		if !wantOK {
			t.Fatalf("Object accepted %q, which encoding/json refuses", b)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%q (-encoding/json +Object):\n%s", b, diff)
		}
	})
}

// incident is the captured incident of the connector's testdata as the
// Table API writes it with sysparm_exclude_reference_link=true: 83 fields,
// all strings, inside {"result": ...}.
func incident(tb testing.TB) []byte {
	tb.Helper()
	body, err := os.ReadFile("../../testdata/incident-created.json")
	if err != nil {
		tb.Fatal(err)
	}
	var resp struct {
		Result map[string]any `json:"result"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		tb.Fatal(err)
	}
	rec := make(map[string]string, len(resp.Result))
	for k, v := range resp.Result {
		switch x := v.(type) {
		case string:
			rec[k] = x
		case map[string]any: // a reference: its sys_id
			rec[k], _ = x["value"].(string)
		}
	}
	out, err := json.Marshal(map[string]any{"result": rec})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

func BenchmarkMember(b *testing.B) {
	body := incident(b)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := Member(body, "result"); !ok {
			b.Fatal("refused")
		}
	}
}

func BenchmarkObject(b *testing.B) {
	body := incident(b)
	body = body[len(`{"result":`) : len(body)-1]
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := Object(body); !ok {
			b.Fatal("refused")
		}
	}
}
