package trigger

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/plan"
	"github.com/cardflow/cardflow/engine/store"
	"github.com/cardflow/cardflow/internal/jsonscan"
)

// checkTerms returns the terms the intake's check reads of payload for a
// flow whose trigger has output type ty, and whether the check passed.
func checkTerms(t testing.TB, payload []byte, ty cty.Type, decode bool) ([]string, bool) {
	t.Helper()
	in := &Intake{}
	if decode {
		in.Workers = idleForever{}
	}
	f := &plan.Flow{Name: "f", Trigger: &plan.Trigger{Spec: &connector.Trigger{Output: ty}}}
	ev := &connector.Event{ID: "e-1", Type: "t", Payload: payload}
	_, terms, err := in.check(ev, f, 0, 1, true)
	return terms, err == nil
}

// idleForever is a Workers that is only there to make check decode.
type idleForever struct{ Workers }

// oktaEvent is the shape of the trigger object of an Okta event, as far as
// the check is concerned: members it types, others it reads untyped.
var oktaEvent = cty.Object(map[string]cty.Type{
	"event": cty.Object(map[string]cty.Type{
		"uuid":   cty.String,
		"actor":  cty.Object(map[string]cty.Type{"id": cty.String, "alternateId": cty.String}),
		"target": cty.List(cty.Object(map[string]cty.Type{"id": cty.String, "displayName": cty.String})),
	}),
	"user": cty.DynamicPseudoType,
})

// The terms an event's check reads in its pass are those Terms reads of
// its payload, whatever the trigger's type and whether the check decodes.
func FuzzCheckReadsTerms(f *testing.F) {
	for _, c := range []string{
		`{"event":{"uuid":"E-1","actor":{"id":"00uA","alternateId":"admin@example.com","displayName":"Ada Admin"},
			"target":[{"id":"00uB","alternateId":"Alice@Example.com","displayName":"Alice Smith","type":"User"}]}}`,
		`{"record":{"number":"INC0010001","sys_id":"abc","state":"6","correlation_id":"00uB"}}`,
		`{"a":{"id":"X"},"b":[{"id":"x"},{"id":"  "}],"id":null,"email":7}`,
		`{"a":{"b":{"c":{"d":{"id":"four"},"e":{"f":{"id":"deep"}}}}},"l":[[[[{"id":"in lists"}]]]]}`,
		`{"id":"\u00c9t\u00e9 \"quoted\"","login":"A\\B"}`,
		`{"event":{"uuid":"E-2","target":[]},"user":{"login":"x@example.com","profile":{"email":"X@Example.com"}}}`,
		`{"event":{"target":[{"displayName":"  Doe,  Jane\u00a0(Contractor) Jr. "},{"displayName":"\u0130pek \u212aelvin \u2003Lee"}]},"displayName":7}`,
		`{"displayName":"Jane Roe Doe","login":"Jane Doe","t":[` + ids(14) + `]}`,
		`{"displayName":"` + strings.Repeat("ab ", 80) + `","x":{"displayName":"` + strings.Repeat("b a ", 60) + `"}}`,
	} {
		f.Add([]byte(c))
	}
	fixtures, _ := filepath.Glob("../../flows/onboarding/testdata/*.json")
	for _, name := range fixtures {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		want := Terms(payload)
		for _, ty := range []cty.Type{cty.DynamicPseudoType, oktaEvent} {
			for _, decode := range []bool{false, true} {
				got, ok := checkTerms(t, payload, ty, decode)
				if ok && !slices.Equal(got, want) && (len(got) != 0 || len(want) != 0) {
					t.Errorf("type %s, decode %v: the check read terms %q, Terms reads %q", ty.FriendlyName(), decode, got, want)
				}
			}
		}
	})
}

// Every term Terms reads DisplayTerms finds in the payload, the words of
// display names too, so that the console shows each as the payload wrote
// it.
func FuzzDisplayTermsFindsEveryTerm(f *testing.F) {
	for _, c := range []string{
		`{"displayName":"Jane Doe","login":"JANE@example.com"}`,
		`{"event":{"target":[{"displayName":"  Doe,  Jane\u00a0(Contractor) Jr. "},{"displayName":"\u0130pek \u212aelvin \u2003L\u00e9e"}]}}`,
		`{"displayName":"A\u00ffB \"C\" d\u0085E"}`,
		`{"displayName":"` + strings.Repeat("Ab ", 80) + `"}`,
	} {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		s := jsonscan.New(payload)
		var c collected
		collectTerms(&s, 0, func(key, v []byte) { c.add(key, v, true) })
		written := map[string]bool{}
		for _, o := range slices.Concat(c.terms, c.words) {
			written[store.NormalizeTerm(o)] = true
		}
		for _, term := range Terms(payload) {
			if !written[term] {
				t.Errorf("the payload writes no term %q (it writes %q)", term, slices.Concat(c.terms, c.words))
			}
		}
	})
}
