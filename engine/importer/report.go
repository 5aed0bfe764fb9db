package importer

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/cardflow/cardflow/engine/connector"
)

// Status says what became of one Okta Workflows card.
type Status string

// The statuses of a card in the report.
const (
	// Converted cards became a cardflow card, trigger or expression.
	Converted Status = "converted"
	// Placeholder cards became an okta_workflows.unconverted card that
	// validate rejects until it is replaced.
	Placeholder Status = "placeholder"
)

// Report says what an import did, card by card.
type Report struct {
	Flows []*FlowReport `json:"flows"`
}

// FlowReport is one flow of the export.
type FlowReport struct {
	Name  string        `json:"name"`  // the cardflow flow
	Title string        `json:"title"` // the Okta Workflows flow
	File  string        `json:"file"`
	Cards []*CardReport `json:"cards"`
}

// CardReport is one card of a flow.
type CardReport struct {
	Module string `json:"module"` // okta, string, stash, slack
	Card   string `json:"card"`   // readUser, compose
	Kernel bool   `json:"kernel"`
	Title  string `json:"title"`
	Status Status `json:"status"`
	// As is what the card became: a card name, "trigger", "expression",
	// "comment".
	As string `json:"as"`
	// Note says what to check or do.
	Note string `json:"note,omitempty"`
	// Into names the cards an expression was written into.
	Into []string `json:"into,omitempty"`
	uuid string
}

// Counts are the report's totals.
type Counts struct {
	Flows       int `json:"flows"`
	Cards       int `json:"cards"`
	Converted   int `json:"converted"`
	Placeholder int `json:"placeholders"`
}

func (r *Report) flow(name, title string) *FlowReport {
	fr := &FlowReport{Name: name, Title: title, File: name + ".hcl"}
	r.Flows = append(r.Flows, fr)
	return fr
}

func (fr *FlowReport) add(m *Method, st Status, as, note string) {
	fr.Cards = append(fr.Cards, &CardReport{Module: m.Module, Card: m.Key, Kernel: m.Kernel, Title: m.Title, Status: st, As: as, Note: note})
}

// Counts adds up the report.
func (r *Report) Counts() Counts {
	c := Counts{Flows: len(r.Flows)}
	for _, f := range r.Flows {
		for _, cr := range f.Cards {
			c.Cards++
			if cr.Status == Converted {
				c.Converted++
			} else {
				c.Placeholder++
			}
		}
	}
	return c
}

// WriteJSON writes the report as JSON, with format_version and counts.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		FormatVersion string        `json:"format_version"`
		Counts        Counts        `json:"counts"`
		Flows         []*FlowReport `json:"flows"`
	}{"1.0", r.Counts(), r.Flows})
}

// WriteText writes the report for people: totals, then every card that was
// not converted grouped by module and card, then the notes on converted
// cards.
func (r *Report) WriteText(w io.Writer) {
	c := r.Counts()
	fmt.Fprintf(w, "Imported %d flows: %d cards, %d converted, %d not converted.\n", c.Flows, c.Cards, c.Converted, c.Placeholder)
	type item struct{ flow, title, note string }
	groups := map[string][]item{}
	var notes []string
	for _, f := range r.Flows {
		for _, cr := range f.Cards {
			if cr.Status == Placeholder {
				k := cr.Module + "." + cr.Card
				groups[k] = append(groups[k], item{f.File, cr.Title, cr.Note})
			} else if cr.Note != "" {
				notes = append(notes, fmt.Sprintf("  %s: card %q (%s.%s) → %s: %s", f.File, cr.Title, cr.Module, cr.Card, cr.As, cr.Note))
			}
		}
	}
	if len(groups) > 0 {
		fmt.Fprintln(w, "\nNot converted (placeholder cards that `cardflow validate` rejects until replaced):")
		for _, k := range connector.SortedKeys(groups) {
			items := groups[k]
			fmt.Fprintf(w, "  %s (%d)\n", k, len(items))
			for _, it := range items {
				fmt.Fprintf(w, "    %s: %q\n", it.flow, it.title)
			}
			fmt.Fprintf(w, "    what to do: %s\n", items[0].note)
		}
	}
	if len(notes) > 0 {
		fmt.Fprintln(w, "\nConverted, to check:")
		sort.Strings(notes)
		fmt.Fprintln(w, strings.Join(notes, "\n"))
	}
}
