package trigger

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestTerms(t *testing.T) {
	cases := []struct {
		name, payload string
		want          []string
	}{
		{"okta event", `{"event":{"uuid":"E-1","actor":{"id":"00uA","alternateId":"admin@example.com","displayName":"Ada Admin"},
			"target":[{"id":"00uB","alternateId":"Alice@Example.com","displayName":"Alice Smith","type":"User"}]}}`,
			[]string{"00ua", "00ub", "ada admin", "admin@example.com", "alice smith", "alice@example.com", "e-1", "smith"}},
		// Each word of a display name is a term too, but for those a
		// value starts with (search finds jane by "jane doe").
		{"surname", `{"displayName":"Jane Doe"}`, []string{"doe", "jane doe"}},
		{"words between spaces, without punctuation", `{"displayName":"  Doe,  Jane\u00a0(Contractor) Jr. "}`,
			[]string{"contractor", "doe,  jane\u00a0(contractor) jr.", "jane", "jr"}},
		{"one word", `{"displayName":"Cher"}`, []string{"cher"}},
		{"a word another value starts with", `{"displayName":"Ada Admin","alternateId":"admin@example.com"}`, []string{"ada admin", "admin@example.com"}},
		{"only display names", `{"login":"Jane Doe","email":"Ann Lee","id":"A B","name":"Zoe Roe"}`, []string{"a b", "ann lee", "jane doe"}},
		{"words repeat", `{"a":{"displayName":"Jane Doe"},"b":{"displayName":"John Doe"}}`, []string{"doe", "jane doe", "john doe"}},
		// Words fill the room values leave under store.MaxTerms, and
		// never take a value's place.
		{"values first", `{"displayName":"Jane Doe","t":[` + ids(15) + `]}`, append([]string{"jane doe"}, idTerms(15)...)},
		{"words in what room is left", `{"displayName":"Jane Roe Doe","t":[` + ids(14) + `]}`, append([]string{"doe", "jane roe doe"}, idTerms(14)...)},
		{"servicenow record", `{"record":{"number":"INC0010001","sys_id":"abc","state":"6","correlation_id":"00uB","short_description":"x"}}`,
			[]string{"00ub", "abc", "inc0010001"}},
		{"repeats and blanks", `{"a":{"id":"X"},"b":[{"id":"x"},{"id":"  "}]}`, []string{"x"}},
		{"not json", `nope`, nil},
		{"empty", ``, nil},
		{"too deep", `{"a":{"b":{"c":{"d":{"e":{"f":{"id":"deep"}}}}}}}`, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Terms([]byte(tc.payload)); !slices.Equal(got, tc.want) {
				t.Errorf("Terms = %q, want %q", got, tc.want)
			}
		})
	}
}

// ids is n members {"id":"v00"}, {"id":"v01"}, ...; idTerms their terms.
func ids(n int) string {
	parts := make([]string, n)
	for i := range n {
		parts[i] = fmt.Sprintf(`{"id":"V%02d"}`, i)
	}
	return strings.Join(parts, ",")
}

func idTerms(n int) []string {
	out := make([]string, n)
	for i := range n {
		out[i] = fmt.Sprintf("v%02d", i)
	}
	return out
}

func TestDisplayTerms(t *testing.T) {
	cases := []struct {
		name, payload string
		terms, want   []string
	}{
		{"okta event", `{"event":{"uuid":"E-1","actor":{"id":"00uA","alternateId":"admin@example.com","displayName":"Ada Admin"},
			"target":[{"id":"00u8newUsEr","alternateId":"Alice@Example.com","displayName":"Alice Smith"}]}}`,
			nil, []string{"00u8newUsEr", "00uA", "Ada Admin", "admin@example.com", "Alice Smith", "Alice@Example.com", "E-1", "Smith"}},
		{"words as written", `{"displayName":"Mary-Kate McDONALD","login":"mk@example.com"}`, nil,
			[]string{"Mary-Kate McDONALD", "McDONALD", "mk@example.com"}},
		{"a value's case before a word's", `{"displayName":"Jane DOE","id":"Doe"}`, nil, []string{"Doe", "Jane DOE"}},
		{"first case wins", `{"a":{"id":" ABC "},"b":{"id":"abc"}}`, nil, []string{"ABC"}},
		{"terms the payload lacks stay", `{"id":"Xy"}`, []string{"other", "xy"}, []string{"other", "Xy"}},
		{"not json", `nope`, []string{"kept"}, []string{"kept"}},
		{"no terms", `{"id":"Xy"}`, []string{}, []string{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			terms := tc.terms
			if terms == nil {
				terms = Terms([]byte(tc.payload))
			}
			if got := DisplayTerms([]byte(tc.payload), terms); !slices.Equal(got, tc.want) {
				t.Errorf("DisplayTerms = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestTermsAreBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"target":[`)
	for i := range 100 {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`{"id":"u` + strings.Repeat("x", i%3) + string(rune('a'+i%26)) + `"}`)
	}
	b.WriteString(`],"id":"` + strings.Repeat("y", 300) + `"}`)
	got := Terms([]byte(b.String()))
	if len(got) == 0 || len(got) > 16 {
		t.Fatalf("Terms kept %d terms, want 1..16", len(got))
	}
	for _, term := range got {
		if len(term) > 256 {
			t.Errorf("term of %d bytes kept", len(term))
		}
	}
}

// TestTermsOfTheOktaFixture reads the delivery the onboarding flow's tests
// use: the new user's login is among its terms.
func TestTermsOfTheOktaFixture(t *testing.T) {
	matches, _ := filepath.Glob("../../flows/onboarding/testdata/*.json")
	found := false
	for _, m := range matches {
		b, err := os.ReadFile(m)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), "alternateId") {
			continue
		}
		found = true
		terms := Terms(b)
		if !slices.ContainsFunc(terms, func(s string) bool { return strings.Contains(s, "@") }) {
			t.Errorf("%s: terms %q hold no login", m, terms)
		}
	}
	if !found {
		t.Fatal("no Okta delivery under flows/onboarding/testdata")
	}
}

// BenchmarkTerms is the intake's cost of an Okta event's correlation
// terms, per event.
func BenchmarkTerms(b *testing.B) {
	payload, err := os.ReadFile("../../flows/onboarding/testdata/user-created.json")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(payload)))
	b.ReportAllocs()
	for b.Loop() {
		if len(Terms(payload)) == 0 {
			b.Fatal("no terms")
		}
	}
}
