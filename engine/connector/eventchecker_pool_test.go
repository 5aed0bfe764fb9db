package connector

import (
	"fmt"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

// Checkers are pooled: a check must see nothing of the ones before it,
// least of all of one that stopped half way (its path, the required
// fields it had found, the attributes it had gathered, its problem).
func TestChecksAreIndependentOfEarlierOnes(t *testing.T) {
	use := NewPaths(valueTrigger.Output)
	use.Add("target", "0", "name")
	use.Add("id")
	good := []byte(`{"id":"e","target":[{"id":"u1","name":"A"}]}`)
	want, err := FromJSONPaths(good, valueTrigger.Output, use)
	if err != nil {
		t.Fatal(err)
	}
	earlier := []string{
		`{"id":"e","target":[{"id":"u1","name":"A","tags":["a",{}]}]}`, // fails deep in a decoded object
		`{"id":"e","target":[{"id":"u1","name":"B"},{"id":"u2","name":"C"}],"input":{"x":1}}`,
		`{"id":"e","target":[{"name":{"x":1}}]}`,
		`{"target":[{"id":"u1","name":"A"}]`, // cut short
		string(good),
	}
	// A trigger of other attributes, at the same depths.
	other := &Trigger{Output: cty.Object(map[string]cty.Type{"id": cty.String, "extra": cty.String,
		"target": cty.List(cty.Object(map[string]cty.Type{"name": cty.String, "more": cty.String}))})}
	otherUse := NewPaths(other.Output)
	otherUse.Add("target", "0", "more")
	otherUse.Add("extra")
	for range 50 { // sync.Pool may drop a checker (it does at random under -race)
		for _, e := range earlier {
			_, _ = EventCheck{Decode: true, Use: use}.Check(&Event{ID: "e", Payload: []byte(e)}, valueTrigger)
			_, _ = EventCheck{Decode: true, Use: otherUse}.Check(&Event{ID: "e", Payload: []byte(e)}, other)
			got, err := EventCheck{Decode: true, Use: use}.Check(&Event{ID: "e", Payload: good}, valueTrigger)
			if err != nil || !got.RawEquals(want) {
				t.Fatalf("after %s: %#v, %v; want %#v", e, got, err, want)
			}
			// The required id was found by the check before: this one
			// must still miss it.
			_, err = EventCheck{Decode: true, Use: use}.Check(&Event{ID: "e", Payload: []byte(`{"target":[]}`)}, valueTrigger)
			if err == nil || !strings.Contains(err.Error(), "trigger.id is missing") {
				t.Fatalf("after %s, a payload without id: %v", e, err)
			}
		}
	}
}

// atByWalk is at as it was, walking every required path whole: at must
// agree with it.
func atByWalk(path []pathElem, p string) bool {
	for i, e := range path {
		if e.key == nil {
			return false
		}
		name, rest, _ := strings.Cut(p, ".")
		if name != string(e.key) || (rest == "") != (i == len(path)-1) {
			return false
		}
		p = rest
	}
	return true
}

func TestAtAgreesWithTheWalk(t *testing.T) {
	keys := []string{"", "a", "b", "ab", "a.", ".a", "event", "uuid", "target", "a.b"}
	required := []string{"", ".", "a", "b", "a.", "a..", "a.b", "a.b.", "a..b", ".a", "b.a", "a.a", "ab",
		"event.uuid", "event.target", "event.target.", "uuid", "a.b.a", "a.b.b"}
	var paths [][]pathElem
	for _, k1 := range keys {
		paths = append(paths, []pathElem{{key: []byte(k1)}}, []pathElem{{key: []byte(k1)}, {index: 0}})
		for _, k2 := range keys {
			paths = append(paths, []pathElem{{key: []byte(k1)}, {key: []byte(k2)}})
			for _, k3 := range []string{"a", "b", "uuid"} {
				paths = append(paths, []pathElem{{key: []byte(k1)}, {key: []byte(k2)}, {key: []byte(k3)}})
			}
		}
	}
	matched := 0
	for _, path := range paths {
		for _, r := range required {
			c := eventChecker{path: path}
			want := atByWalk(path, r)
			if got := c.at(r); got != want {
				t.Errorf("at(%s, %q) = %v, want %v", spell(path), r, got, want)
			}
			if want {
				matched++
			}
		}
	}
	if matched < 10 {
		t.Fatalf("only %d paths matched: the table does not test matches", matched)
	}
}

func spell(path []pathElem) string {
	var b strings.Builder
	for _, e := range path {
		if e.key == nil {
			fmt.Fprintf(&b, "[%d]", e.index)
		} else {
			fmt.Fprintf(&b, ".%q", e.key)
		}
	}
	return b.String()
}
