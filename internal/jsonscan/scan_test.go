package jsonscan_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/cardflow/cardflow/internal/jsonscan"
)

var texts = []string{
	`{}`, `[]`, `""`, `0`, `-0`, `1.5e-7`, `1E+2`, `true`, `false`, `null`, " \t\r\n{ \"a\" : [ 1 , 2 ] }\n",
	`{"a":{"b":[1,{"c":null}],"d":"e"},"f":[]}`, `"a\"b\\c\/d\b\f\n\r\t"`, `"\u00e9\uD83D\uDE00"`, `"\ud83d"`,
	"\"\xff\"", "\"Ørsta\"", `[1,"2",true,null,{},[]]`,
	``, ` `, `{`, `[`, `"abc`, `"\x"`, `"\u12"`, `"\u12g4"`, "\"a\x01\"", `'a'`, `"\'"`, `{} {}`, `"a" x`,
	`[1,]`, `[,1]`, `{"a":1,}`, `{"a" 1}`, `{a: 1}`, `{"a":1 "b":2}`, `[1 2]`, `01`, `-`, `1.`, `.5`, `1e`,
	`1e+`, `+1`, `-01`, `0x10`, `1.5.3`, `[1-2]`, `NaN`, `tru`, `truex`, `nul`, "\x00", `{"a":1}}`, `]`,
	"\xef\xbb\xbf{}", `{"a":"b"}` + "\x00", `{1:2}`, `{"a":}`, `[` + strings.Repeat(" ", 10) + `]`,
	strings.Repeat("[", jsonscan.MaxDepth) + strings.Repeat("]", jsonscan.MaxDepth),
}

// check fails when the scanner accepts a text encoding/json rejects, or
// rejects one it accepts within MaxDepth.
func check(t *testing.T, text []byte) {
	t.Helper()
	s := jsonscan.New(text)
	got := s.Skip() && s.AtEnd()
	if want := json.Valid(text); got != want {
		t.Errorf("Skip(%.80q) = %v, encoding/json says %v", text, got, want)
	}
	var want string
	if json.Unmarshal(text, &want) != nil {
		return
	}
	s = jsonscan.New(text)
	if s.Peek() != '"' {
		return
	}
	b, at, ok := s.StringBytes()
	if !ok || string(b) != want {
		t.Errorf("StringBytes(%q) = %q, %v, encoding/json gives %q", text, b, ok, want)
	}
	if at >= 0 && string(text[at:at+len(b)]) != string(b) {
		t.Errorf("StringBytes(%q) says the string is at %d, but it is not", text, at)
	}
}

func TestScannerAgreesWithEncodingJSON(t *testing.T) {
	for _, text := range texts {
		check(t, []byte(text))
	}
}

func TestScannerDepth(t *testing.T) {
	deep := strings.Repeat("[", jsonscan.MaxDepth+1) + strings.Repeat("]", jsonscan.MaxDepth+1)
	s := jsonscan.New([]byte(deep))
	if s.Skip() {
		t.Errorf("Skip accepted nesting deeper than MaxDepth")
	}
}

func TestObjectKeys(t *testing.T) {
	text := []byte(`{"plain": 1, "esc\u0061ped": [2], "ünï": {"x": 3}}`)
	s := jsonscan.New(text)
	type key struct {
		name string
		at   int
	}
	var keys []key
	ok := s.Object(func(k []byte, at int) bool {
		keys = append(keys, key{string(k), at})
		return s.Skip()
	})
	want := []key{{"plain", 2}, {"escaped", -1}, {"ünï", 35}}
	if !ok || len(keys) != len(want) {
		t.Fatalf("Object: %v, keys %v", ok, keys)
	}
	for i := range want {
		if keys[i] != want[i] {
			t.Errorf("key %d = %+v, want %+v", i, keys[i], want[i])
		}
	}
}

func FuzzScanner(f *testing.F) {
	for _, text := range texts {
		f.Add([]byte(text))
	}
	f.Fuzz(func(t *testing.T, text []byte) {
		if strings.Count(string(text), "[")+strings.Count(string(text), "{") > jsonscan.MaxDepth {
			t.Skip("possibly deeper than MaxDepth")
		}
		check(t, text)
	})
}
