package connector

import (
	"fmt"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/internal/jsonscan"
)

// checkSparse checks FromJSONPaths(data, ty, paths) against FromJSON: a
// value of type ty, the same values wherever one of paths leads (an index step
// leads to every element of a list), and null object attributes
// everywhere else. It is written apart from Paths, on the paths as given.
func checkSparse(t testing.TB, data []byte, ty cty.Type, paths [][]string) {
	t.Helper()
	use := NewPaths(ty)
	for _, p := range paths {
		use.Add(p...)
	}
	full, ferr := FromJSON(data, ty)
	sparse, serr := FromJSONPaths(data, ty, use)
	if ferr != nil {
		// Off the paths a value of the wrong kind is only skipped: the
		// sparse decode may succeed where the full one fails, never the
		// other way round.
		return
	}
	if serr != nil {
		t.Fatalf("FromJSONPaths(%.80q, %s, %s): %v; FromJSON decodes it", data, ty.FriendlyName(), use, serr)
	}
	// Of type ty, but not necessarily of the type of FromJSON's value: a
	// dynamic attribute off the paths is a null of the dynamic type.
	if errs := sparse.Type().TestConformance(ty); errs != nil {
		t.Fatalf("FromJSONPaths gave a %s, not a %s: %v", sparse.Type().FriendlyName(), ty.FriendlyName(), errs)
	}
	for _, p := range paths {
		sameAlong(t, full, sparse, p, "trigger")
	}
	nullOff(t, sparse, ty, paths, "trigger")
}

// sameAlong checks that full and sparse agree along path.
func sameAlong(t testing.TB, full, sparse cty.Value, path []string, at string) {
	t.Helper()
	ty := full.Type()
	switch {
	case len(path) == 0 || full.IsNull() || !(ty.IsObjectType() || ty.IsListType()):
		if !sparse.RawEquals(full) {
			t.Errorf("%s: FromJSONPaths gave %#v, FromJSON %#v", at, sparse, full)
		}
	case ty.IsObjectType():
		if ty.HasAttribute(path[0]) {
			sameAlong(t, full.GetAttr(path[0]), sparse.GetAttr(path[0]), path[1:], at+"."+path[0])
		}
	default:
		if sparse.IsNull() || sparse.LengthInt() != full.LengthInt() {
			t.Errorf("%s: FromJSONPaths gave %#v, FromJSON %#v", at, sparse, full)
			return
		}
		for i := range full.LengthInt() {
			idx := cty.NumberIntVal(int64(i))
			sameAlong(t, full.Index(idx), sparse.Index(idx), path[1:], fmt.Sprintf("%s[%d]", at, i))
		}
	}
}

// nullOff checks that every attribute of v, an object where its type ty
// declares one, that none of paths leads to is null.
func nullOff(t testing.TB, v cty.Value, ty cty.Type, paths [][]string, at string) {
	t.Helper()
	for _, p := range paths {
		if len(p) == 0 {
			return // all of v is used
		}
	}
	if v.IsNull() || !v.IsKnown() {
		return
	}
	switch {
	case ty.IsObjectType():
		for name := range ty.AttributeTypes() {
			var below [][]string
			for _, p := range paths {
				if p[0] == name {
					below = append(below, p[1:])
				}
			}
			if below == nil && !v.GetAttr(name).IsNull() {
				t.Errorf("%s.%s is not on a used path but is %#v", at, name, v.GetAttr(name))
			}
			if below != nil {
				nullOff(t, v.GetAttr(name), ty.AttributeType(name), below, at+"."+name)
			}
		}
	case ty.IsListType():
		var below [][]string
		for _, p := range paths {
			below = append(below, p[1:])
		}
		for i := range v.LengthInt() {
			nullOff(t, v.Index(cty.NumberIntVal(int64(i))), ty.ElementType(), below, fmt.Sprintf("%s[%d]", at, i))
		}
	}
}

// sparseType is an event with the shapes of the triggers' outputs.
var sparseType = cty.Object(map[string]cty.Type{
	"id": cty.String,
	"n":  cty.Number,
	"target": cty.List(cty.Object(map[string]cty.Type{
		"id":   cty.String,
		"name": cty.String,
		"tags": cty.List(cty.String),
	})),
	"client": cty.Object(map[string]cty.Type{
		"ip":  cty.String,
		"geo": cty.Object(map[string]cty.Type{"city": cty.String, "lat": cty.Number}),
	}),
	"data":  cty.Map(cty.Number),
	"pair":  cty.Tuple([]cty.Type{cty.String, cty.Object(map[string]cty.Type{"x": cty.String})}),
	"input": cty.DynamicPseudoType,
})

var sparsePaths = [][][]string{
	nil,
	{{}},
	{{"id"}},
	{{"target", "0", "name"}, {"id"}},
	{{"target", "1"}},
	{{"target"}, {"client", "geo", "city"}},
	{{"data", "k"}, {"pair", "1", "x"}, {"input", "a"}},
	{{"client", "nosuch"}, {"nosuch"}},
}

var sparseDocuments = []string{
	`{"id": "e1", "n": 3, "target": [{"id": "u1", "name": "Ann", "tags": ["a"]}, {"id": "g1", "name": "G", "tags": null}],
	  "client": {"ip": "10.0.0.1", "geo": {"city": "Oslo", "lat": 59.9}}, "data": {"k": 1, "l": 2},
	  "pair": ["a", {"x": "y"}], "input": {"a": [1, "x"]}, "extra": {"deep": [1, 2, 3]}}`,
	`{"id": 7, "target": [], "client": null}`,
	`{"target": [null, {"id": 1, "name": true}], "client": {"geo": null}}`,
	`{"id": "e2", "client": {"ip": ["not", "a", "string"], "geo": {"city": "x"}}}`, // a structure where a string is declared: kept as JSON
	`{"n": "12", "id": "x", "id": "y"}`,                                            // a repeated key: the last wins
	`{"data": {"k": 1, "k": "x"}, "id": "z"}`,                                      // FromJSON rejects it: a used path decodes it, an unused one skips it
	`{"data": {"k": "x", "k": 1}, "id": "z"}`,                                      // the decoder leaves it to the reference path, which decodes it
	`{"n": {"not": "a number"}, "id": "e"}`,                                        // wrong kind off the paths: skipped
	`{"id": "x"} trailing`,
	`null`,
	`[]`,
}

// TestFromJSONPaths decodes every document with every set of paths.
func TestFromJSONPaths(t *testing.T) {
	for i, doc := range sparseDocuments {
		for _, paths := range sparsePaths {
			t.Run(fmt.Sprintf("%d/%s", i, pathsName(paths)), func(t *testing.T) {
				checkSparse(t, []byte(doc), sparseType, paths)
			})
		}
	}
}

func pathsName(paths [][]string) string {
	if paths == nil {
		return "none"
	}
	var names []string
	for _, p := range paths {
		names = append(names, strings.Join(append([]string{"trigger"}, p...), "."))
	}
	return strings.Join(names, ",")
}

// TestFromJSONPathsSkips checks that what no path leads to is not decoded:
// a value of the wrong kind there is no error, where FromJSON fails.
func TestFromJSONPathsSkips(t *testing.T) {
	doc := []byte(`{"id": "e", "n": {"not": "a number"}}`)
	if _, err := FromJSON(doc, sparseType); err == nil {
		t.Fatal("FromJSON decoded an object as a number")
	}
	use := NewPaths(sparseType)
	use.Add("id")
	v, err := FromJSONPaths(doc, sparseType, use)
	if err != nil {
		t.Fatal(err)
	}
	if got := v.GetAttr("id"); !got.RawEquals(cty.StringVal("e")) {
		t.Errorf("id = %#v", got)
	}
	// Malformed JSON is an error wherever it is.
	if _, err := FromJSONPaths([]byte(`{"id": "e", "n": [1,}`), sparseType, use); err == nil {
		t.Error("FromJSONPaths accepted malformed JSON off the paths")
	}
}

// TestFromJSONPathsFallsBack checks a document the decoder leaves to the
// reference path on a used path: the value is the reference's, pruned.
func TestFromJSONPathsFallsBack(t *testing.T) {
	doc := []byte(`{"data": {"k": "x", "k": 1}, "id": "z", "n": 2}`)
	use := NewPaths(sparseType)
	use.Add("data")
	d := jsonDecoder{Scanner: jsonscan.New(doc)}
	if _, ok := d.sparse(sparseType, use); ok {
		t.Fatal("the decoder accepted a repeated key whose first value does not convert")
	}
	v, err := FromJSONPaths(doc, sparseType, use)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := v.GetAttr("data"), cty.MapVal(map[string]cty.Value{"k": cty.NumberIntVal(1)}); !got.RawEquals(want) {
		t.Errorf("data = %#v, want %#v", got, want)
	}
	if !v.GetAttr("id").IsNull() || !v.GetAttr("n").IsNull() {
		t.Errorf("attributes off the paths are not null: %#v", v)
	}
}

func TestPathsString(t *testing.T) {
	use := NewPaths(sparseType)
	if got := use.String(); got != "(none)" {
		t.Errorf("empty: %s", got)
	}
	use.Add("target", "0", "name")
	use.Add("target", "1", "tags", "0")
	use.Add("client", "geo", "city")
	use.Add("client", "geo")
	use.Add("data", "k")
	use.Add("nosuch", "x")
	if got, want := use.String(), "client.geo, data, target[*].name, target[*].tags[*]"; got != want {
		t.Errorf("String() = %s, want %s", got, want)
	}
	use.Add()
	if got := use.String(); got != "(all)" || !use.Whole() {
		t.Errorf("after Add(): %s", got)
	}
	var all *Paths
	all.Add("id")
	if got := all.String(); got != "(all)" {
		t.Errorf("nil: %s", got)
	}
}

func FuzzFromJSONPaths(f *testing.F) {
	for _, doc := range sparseDocuments {
		f.Add([]byte(doc), uint8(3))
	}
	for _, doc := range differentialDocuments {
		if len(doc) < 1000 {
			f.Add([]byte(doc), uint8(0))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, pick uint8) {
		if !normalKeys(data) {
			t.Skip("keys that NFC changes")
		}
		checkSparse(t, data, sparseType, sparsePaths[int(pick)%len(sparsePaths)])
	})
}
