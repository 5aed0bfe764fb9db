package importer

import "testing"

// TestGuardFirst: a read of the first item of one card's list is null
// when the list is empty; other expressions are left as they are, and a
// guarded read comes back out whole.
func TestGuardFirst(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"card.s.groups[0].id", "(length(card.s.groups) > 0 ? card.s.groups[0].id : null)"},
		{`card.s.rows[0]["Allowed Domains"]`, `(length(card.s.rows) > 0 ? card.s.rows[0]["Allowed Domains"] : null)`},
		{"{ Name = card.s.groups[0].name, Description = card.s.groups[0].description }",
			"(length(card.s.groups) > 0 ? { Name = card.s.groups[0].name, Description = card.s.groups[0].description } : null)"},
		{"card.s.count", "card.s.count"},
		{"trigger.event.target[0].id", "trigger.event.target[0].id"},
		{"[for x in card.s.groups : x.id]", "[for x in card.s.groups : x.id]"},
		{"card.a.rows[0].x == card.b.rows[0].x", "card.a.rows[0].x == card.b.rows[0].x"},
	} {
		got := guardFirst(c.in)
		if got != c.want {
			t.Errorf("guardFirst(%s) = %s, want %s", c.in, got, c.want)
		}
		if guardFirst(got) != got {
			t.Errorf("guardFirst(%s) guards twice", got)
		}
		if got != c.in {
			if list, inner, ok := unguardFirst(got); !ok || inner != c.in || list == "" {
				t.Errorf("unguardFirst(%s) = %q, %q, %v", got, list, inner, ok)
			}
		}
	}
	if g, ok := exprLangFirst("(length(card.s.rows) > 0 ? card.s.rows[0].status : null)"); !ok || g != "(len(card.s.rows) > 0 ? card.s.rows[0].status : nil)" {
		t.Errorf("exprLangFirst = %q, %v", g, ok)
	}
}
