package connector

import (
	"fmt"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

// checkEventValue checks EventCheck.Check with Decode against what it
// stands for: the check's answer without it, and, when it gives a value,
// FromJSONPaths' value, equal to the bit.
func checkEventValue(t testing.TB, payload []byte, trig *Trigger, paths [][]string) (decoded bool) {
	t.Helper()
	var use *Paths
	if paths != nil {
		use = NewPaths(trig.Output)
		for _, p := range paths {
			use.Add(p...)
		}
	}
	ev := &Event{ID: "e", Type: "t", Payload: payload}
	got, gerr := EventCheck{Decode: true, Use: use}.Check(ev, trig)
	werr := CheckEvent(ev, trig)
	if fmt.Sprint(gerr) != fmt.Sprint(werr) {
		t.Fatalf("decoding check (%.200q): error %v, CheckEvent %v", payload, gerr, werr)
	}
	if gerr != nil {
		if got != cty.NilVal {
			t.Fatalf("decoding check (%.200q) refused the event but gave %#v", payload, got)
		}
		return false
	}
	if got == cty.NilVal {
		return false
	}
	want, err := FromJSONPaths(payload, trig.Output, use)
	if err != nil {
		t.Fatalf("decoding check (%.200q) gave %#v where FromJSONPaths fails: %v", payload, got, err)
	}
	if !got.RawEquals(want) {
		t.Fatalf("decoding check (%.200q, %s):\n got %#v\nwant %#v", payload, use, got, want)
	}
	return true
}

var valueTrigger = &Trigger{Output: sparseType, Required: []string{"id"}, IDField: "id"}

// TestEventCheckDecode checks every document with every set of paths, and
// that the pass decodes the documents of the usual shapes.
func TestEventCheckDecode(t *testing.T) {
	docs := append([]string{
		`{"id":"e","target":[{"id":"u1","name":"Åse 😀","tags":["a",null]}]}`,
		`{"id":"e","target":[{"name":null},null],"client":{"geo":{"city":"\u00e9\n"}},"input":null}`,
		`{"id":"e","target":null,"n":null,"data":{}}`,
		`{"id":"e","target":[{"id":"u1","name":"A"},{"id":7,"name":"B","tags":[]}],"input":{"a":[1,"x",{"b":null}]}}`,
		`{"id":"e","target":[{"name":{"x":1}}]}`,
		`{"id":"e","target":"not a list"}`,
		`{"id":"e","n":"1e400"}`,
	}, sparseDocuments...)
	for i, doc := range docs {
		for _, paths := range sparsePaths {
			t.Run(fmt.Sprintf("%d/%s", i, pathsName(paths)), func(t *testing.T) {
				checkEventValue(t, []byte(doc), valueTrigger, paths)
			})
		}
	}
	for i, doc := range docs[:4] {
		if !checkEventValue(t, []byte(doc), valueTrigger, [][]string{{"target", "0", "name"}, {"id"}}) {
			t.Errorf("document %d: no value", i)
		}
	}
}

func FuzzEventCheckDecode(f *testing.F) {
	for _, doc := range sparseDocuments {
		f.Add([]byte(doc), uint8(3))
	}
	f.Add([]byte(`{"id":"e","target":[{"id":"u1","name":"A","tags":["a",null]}],"data":{"k":1}}`), uint8(6))
	f.Fuzz(func(t *testing.T, data []byte, pick uint8) {
		if !normalKeys(data) {
			t.Skip("keys that NFC changes")
		}
		checkEventValue(t, data, valueTrigger, sparsePaths[int(pick)%len(sparsePaths)])
	})
}
