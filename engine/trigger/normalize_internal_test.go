package trigger

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/cardflow/cardflow/engine/store"
)

// appendNormalized keeps what collected.add keeps, as it keeps it.
func checkNormalized(t *testing.T, v string) {
	t.Helper()
	var c collected
	c.add(nil, []byte(v), false)
	want := c.terms
	got := string(appendNormalized([]byte("x"), []byte(v)))
	switch {
	case len(want) == 0 && got != "x":
		t.Fatalf("appendNormalized(%q) appended %q; collected.add drops it", v, got[1:])
	case len(want) == 1 && got != "x"+want[0]:
		t.Fatalf("appendNormalized(%q) appended %q; collected.add keeps %q", v, got[1:], want[0])
	}
}

var normalizeCases = []string{"", " ", "\t\n\v\f\r ", "a", "A", "Alice@Example.COM", "  00uA1b2C3  ", "ZZ[`az{",
	"Åse", " ÉTÉ ", "\u0085x\u00a0", "İstanbul", "\xff", "A\xffB", "\u212a", strings.Repeat("A", store.MaxTermLen),
	strings.Repeat("A", store.MaxTermLen+1), " " + strings.Repeat("a", store.MaxTermLen) + " ", strings.Repeat("é", 200)}

func TestAppendNormalized(t *testing.T) {
	for _, v := range normalizeCases {
		checkNormalized(t, v)
	}
}

func FuzzAppendNormalized(f *testing.F) {
	for _, v := range normalizeCases {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v string) {
		checkNormalized(t, v)
	})
}

// A reader gives the terms of its own event only, whatever the events the
// pooled readers read before, and those the check would keep, in order.
func TestTermReadersStartEmpty(t *testing.T) {
	events := []string{
		`{"id":"A1","login":"Bob@Example.com","x":{"email":" Carol@example.COM "}}`,
		`{"id":"\u00c9t\u00e9","displayName":"` + strings.Repeat("z", 300) + `"}`,
		`{"displayName":"Jane Doe","target":[{"displayName":"Ola  Nordmann (IT)"}]}`,
		`{"uuid":"u-1"}`,
		`{}`,
	}
	for range 20 { // sync.Pool may drop a reader (it does at random under -race)
		for _, ev := range events {
			r := newTermReader()
			terms, ok := checkTerms(t, []byte(ev), oktaEvent, false)
			r.members.Each(nil, []byte("left over"))
			r.members.Each([]byte("displayName"), []byte("Left Over"))
			if !ok {
				t.Fatalf("%s: refused", ev)
			}
			if want := Terms([]byte(ev)); strings.Join(terms, "|") != strings.Join(want, "|") {
				t.Fatalf("%s: terms %q, want %q", ev, terms, want)
			}
			if !utf8.ValidString(strings.Join(terms, "")) {
				t.Fatalf("%s: invalid terms %q", ev, terms)
			}
			r.result() // back to the pool with what it read
		}
	}
}

func TestIsTermKey(t *testing.T) {
	for _, k := range []string{"id", "alternateId", "login", "email", "displayName", "number", "sys_id", "correlation_id", "uuid"} {
		if !isTermKey([]byte(k)) {
			t.Errorf("%q is not a term key", k)
		}
	}
	for _, k := range []string{"", "ID", "Id", "alternateid", "logins", "mail", "display_name", "sysId", "uuid ", "type", "name"} {
		if isTermKey([]byte(k)) {
			t.Errorf("%q is a term key", k)
		}
	}
}
