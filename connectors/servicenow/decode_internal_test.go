package servicenow

import (
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cardflow/cardflow/connectors/servicenow/emulator"
	"github.com/cardflow/cardflow/connectors/servicenow/internal/flatjson"
)

// genericRecord is how a {"result": {...}} answer was decoded before
// flatjson: encoding/json into interfaces, then flatten.
func genericRecord(b []byte) (map[string]string, bool, error) {
	var env struct {
		Result map[string]any `json:"result"`
	}
	if err := decodeJSON(b, &env); err != nil || env.Result == nil {
		return nil, false, err
	}
	return flatten(env.Result, "value"), true, nil
}

// TestDecodeRecordMatchesEncodingJSON checks that every answer decodes to
// what encoding/json and flatten make of it, whether or not it takes the
// direct path.
func TestDecodeRecordMatchesEncodingJSON(t *testing.T) {
	created, err := os.ReadFile("testdata/incident-created.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		body   string
		direct bool // flatjson reads it
	}{
		{"captured incident", string(created), false}, // references are objects there
		{"strings", `{"result":{"sys_id":"abc","number":"INC0010001","active":"true","empty":""}}`, true},
		{"whitespace", " \n{ \"result\" :\t{ \"a\" : \"1\" ,\r\n\"b\":\"2\" } }\n ", true},
		{"empty record", `{"result":{}}`, true},
		{"escapes", `{"result":{"d":"line\nnext \"q\" \\ \/ \t \b \f \r","u":"\u00e9\u2028 \ud83d\ude00 \ud800 lone","k\u0065y":"v"}}`, true},
		{"utf-8", `{"result":{"d":"é 漢字 🙂"}}`, true},
		{"invalid utf-8", "{\"result\":{\"d\":\"a\xffb\"}}", true}, // U+FFFD, as encoding/json unquotes it
		{"control character", "{\"result\":{\"d\":\"a\x01b\"}}", false},
		{"duplicate keys", `{"result":{"a":"1","a":"2"}}`, true},
		{"reference object", `{"result":{"caller_id":{"link":"https://x/api/now/table/sys_user/1","value":"1"},"a":"b"}}`, false},
		{"display values", `{"result":{"state":{"display_value":"New","value":"1"}}}`, false},
		{"number", `{"result":{"n":3,"f":1.50,"b":true,"z":null}}`, false},
		{"other key first", `{"status":"ok","result":{"a":"1"}}`, false},
		{"other key after", `{"result":{"a":"1"},"status":"ok"}`, false},
		{"capitalised key", `{"Result":{"a":"1"}}`, false},
		{"trailing data", `{"result":{"a":"1"}} {"x":1}`, false},
		{"null result", `{"result":null}`, false},
		{"list", `{"result":[{"a":"1"}]}`, false},
		{"no result", `{"error":{"message":"x","detail":null},"status":"failure"}`, false},
		{"truncated", `{"result":{"a":"1"`, false},
		{"trailing comma", `{"result":{"a":"1",}}`, false},
		{"not JSON", `<html>login</html>`, false},
		{"empty", ``, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := []byte(tt.body)
			if _, direct := flatjson.Member(b, "result"); direct != tt.direct {
				t.Errorf("flatjson took it: %v, want %v", direct, tt.direct)
			}
			checkDecodeRecord(t, b)
		})
	}
}

func checkDecodeRecord(t *testing.T, b []byte) {
	t.Helper()
	got, gotOK, gotErr := decodeRecord(b)
	want, wantOK, wantErr := genericRecord(b)
	if diff := cmp.Diff(want, got); diff != "" || gotOK != wantOK || (gotErr == nil) != (wantErr == nil) {
		t.Errorf("decodeRecord(%q) = ok %v, err %v; want ok %v, err %v; values (-want +got):\n%s", b, gotOK, gotErr, wantOK, wantErr, diff)
	}
}

// FuzzDecodeRecord holds decodeRecord to encoding/json and flatten.
func FuzzDecodeRecord(f *testing.F) {
	for _, s := range []string{`{"result":{"a":"1","b":"x\ny"}}`, `{"result":{"a":{"value":"1"}}}`, `{"result":{}}`,
		`{"result":{"u":"\ud83d\ude00\u00e9"}}`, "{\"result\":{\"a\":\"\xff\"}}", `{"result":{"a":"1"}} `} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) { checkDecodeRecord(t, b) })
}

// BenchmarkDecodeRecord compares the two ways of reading a created
// incident as the emulator answers create_record's POST, through to the
// card's output value.
func BenchmarkDecodeRecord(b *testing.B) {
	emu := emulator.New(emulator.Options{})
	req := httptest.NewRequest("POST", "/api/now/table/incident?sysparm_exclude_reference_link=true",
		strings.NewReader(`{"short_description":"Approve access for bench.user1@acme.example","description":"A new Okta account needs approval.\nName: Bench User1\n","correlation_id":"00ubench000000000001","correlation_display":"cardflow"}`))
	req.SetBasicAuth("svc", "x")
	w := httptest.NewRecorder()
	emu.ServeHTTP(w, req)
	if w.Code != http.StatusCreated {
		b.Fatal(w.Code, w.Body)
	}
	body := w.Body.Bytes()
	for _, bm := range []struct {
		name   string
		decode func([]byte) (map[string]string, bool, error)
	}{{"encoding-json", genericRecord}, {"direct", decodeRecord}} {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				rec, ok, err := bm.decode(body)
				if err != nil || !ok {
					b.Fatal(err)
				}
				createValue("incident", rec, true)
			}
		})
	}
}
