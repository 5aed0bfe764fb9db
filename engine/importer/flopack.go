package importer

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/cardflow/cardflow/engine/connector"
)

// Pack is a parsed .flopack export: flows, tables and connections.
type Pack struct {
	Flows  []*Flow
	Tables []*Table
	// Configs are the connections the export's cards use, by id.
	Configs map[string]*Config
}

// Flow is one Okta Workflows flow.
type Flow struct {
	ID          string
	Name        string
	Description string
	Scheduled   bool
	Cron        map[string]any
	Methods     []*Method
	// Orderings are the edges (previous card, next card) of the canvas.
	Orderings [][2]string
	byID      map[string]*Method
}

// Method is one card of a flow.
type Method struct {
	UUID     string
	Address  string // root:kernel:string:0.0.1:compose
	Module   string // string, okta, stash
	Key      string // compose, readUser
	Kernel   bool
	Title    string
	Config   string // the connection's id, "" for kernel cards
	Comments string
	// Webhook is true for event cards: Okta starts the flow by POSTing
	// to them.
	Webhook bool
	Inputs  []*Field
	Outputs []*Field
	// Pins wire an output field to inputs of other cards.
	Pins []Pin
	// Branches of an If/Else: the first card of each branch and whether
	// it is the branch taken when the condition holds.
	Branches map[string]bool
	// Joins of a Join card: input field id to the output fields it feeds.
	Joins map[string][]string
	// ErrorPolicy is the card's error policy: "handler" for an If Error
	// card whose error branch is ErrorFlow, an embedded flow.
	ErrorPolicy string
	ErrorFlow   map[string]any
}

// Field is one input or output field of a card.
type Field struct {
	ID    string
	Group string
	Key   string
	Type  any // "string", "number", "object" or a nested structure
	Data  any // the literal value
	// Collection is true for a list of Type.
	Collection bool
	Index      int
	// Path is where an Expand card's output reads its object.
	Path []string
}

// Pin is a wire from an output field of one card to an input of another.
type Pin struct {
	Output string // the output field id on the source card
	Card   string // the target card's uuid
	Input  string // the input field id on the target card
}

// Table is an Okta Workflows table.
type Table struct {
	ID      string
	Name    string
	Columns []Column
}

// Column is a table column; Type is Okta's: str, num, dec, bln, dte.
type Column struct {
	Name string
	Type string
	// Default is the value Create Row gives a column it is not given, as
	// the export writes it ("false", "0"); nil or "" for none.
	Default any
}

// Config is a connection of the export.
type Config struct {
	ID     string
	Name   string
	Module string
}

type rawPack struct {
	Type string `json:"type"`
	Data *struct {
		Flos    map[string]*rawFlow `json:"flos"`
		Configs map[string]*Config  `json:"configs"`
		Tables  map[string]*struct {
			ID   string `json:"id"`
			Name string `json:"name"`
			Data *struct {
				Structure []struct {
					Name    string `json:"name"`
					Type    string `json:"type"`
					Default any    `json:"default"`
				} `json:"structure"`
			} `json:"data"`
		} `json:"tables"`
	} `json:"data"`
}

type rawFlow struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Data        *struct {
		Methods   []*rawMethod         `json:"methods"`
		Orderings map[string][2]string `json:"orderings"`
		Cron      map[string]any       `json:"cron"`
		Scheduled bool                 `json:"scheduled"`
	} `json:"data"`
}

type rawMethod struct {
	Address  string                                         `json:"address"`
	UUID     string                                         `json:"uuid"`
	Branches map[string]bool                                `json:"branches"`
	Joins    map[string][]struct{ Output string }           `json:"joins"`
	Pins     map[string]map[string][]struct{ Input string } `json:"pins"`
	Node     *struct {
		Key  string `json:"key"`
		Data struct {
			Name string `json:"name"`
		} `json:"data"`
		Model struct {
			Config   any            `json:"config"`
			Comments any            `json:"comments"`
			Webhook  bool           `json:"webhook"`
			Inputs   *rawFields     `json:"inputs"`
			Outputs  *rawFields     `json:"outputs"`
			Policy   map[string]any `json:"policy"`
		} `json:"model"`
	} `json:"node"`
}

type rawFields struct {
	Data map[string]*struct {
		ID    string  `json:"id"`
		Group *string `json:"group"`
		Key   string  `json:"key"`
		Value *struct {
			Type       any  `json:"type"`
			Collection bool `json:"collection"`
			Data       any  `json:"data"`
		} `json:"value"`
		Metadata struct {
			Index int   `json:"index"`
			Path  []any `json:"path"`
		} `json:"metadata"`
	} `json:"data"`
}

// Parse reads a .flopack export. It fails with an error naming the problem
// when the JSON is malformed, when a pin or an ordering names a card or
// field that does not exist, or when pins form a cycle.
func Parse(data []byte) (*Pack, error) {
	var raw rawPack
	if err := json.Unmarshal(data, &raw); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			if strings.Contains(se.Error(), "unexpected end") {
				return nil, fmt.Errorf("not a flopack: the JSON ends early at byte %d (is the file truncated?)", se.Offset)
			}
			return nil, fmt.Errorf("not a flopack: invalid JSON at byte %d: %v", se.Offset, err)
		}
		return nil, fmt.Errorf("not a flopack: %v", err)
	}
	if raw.Data == nil || raw.Data.Flos == nil {
		return nil, errors.New("not a flopack: it has no data.flos (export a folder from the Okta Workflows console)")
	}
	p := &Pack{Configs: map[string]*Config{}}
	for id, c := range raw.Data.Configs {
		if c != nil {
			c.ID = id
			p.Configs[id] = c
		}
	}
	for id, t := range raw.Data.Tables {
		if t == nil {
			continue
		}
		tb := &Table{ID: id, Name: t.Name}
		if t.Data != nil {
			for _, c := range t.Data.Structure {
				tb.Columns = append(tb.Columns, Column{Name: c.Name, Type: c.Type, Default: c.Default})
			}
		}
		p.Tables = append(p.Tables, tb)
	}
	sort.Slice(p.Tables, func(i, j int) bool { return p.Tables[i].Name+p.Tables[i].ID < p.Tables[j].Name+p.Tables[j].ID })
	for id, rf := range raw.Data.Flos {
		f, err := parseFlow(id, rf)
		if err != nil {
			return nil, err
		}
		p.Flows = append(p.Flows, f)
	}
	sort.Slice(p.Flows, func(i, j int) bool { return p.Flows[i].Name+p.Flows[i].ID < p.Flows[j].Name+p.Flows[j].ID })
	return p, nil
}

func parseFlow(id string, rf *rawFlow) (*Flow, error) {
	if rf == nil || rf.Data == nil {
		return nil, fmt.Errorf("flow %s has no data", id)
	}
	f := &Flow{ID: id, Name: rf.Name, Description: rf.Description, Scheduled: rf.Data.Scheduled, Cron: rf.Data.Cron, byID: map[string]*Method{}}
	if f.Name == "" {
		f.Name = id
	}
	for i, rm := range rf.Data.Methods {
		if rm == nil || rm.Node == nil || rm.UUID == "" {
			return nil, fmt.Errorf("flow %q: card %d has no uuid or node", f.Name, i+1)
		}
		m := parseMethod(rm)
		if _, dup := f.byID[m.UUID]; dup {
			return nil, fmt.Errorf("flow %q: two cards have the uuid %s", f.Name, m.UUID)
		}
		f.byID[m.UUID] = m
		f.Methods = append(f.Methods, m)
	}
	for _, k := range connector.SortedKeys(rf.Data.Orderings) {
		o := rf.Data.Orderings[k]
		for _, end := range o {
			if f.byID[end] == nil {
				return nil, fmt.Errorf("flow %q: the canvas order names card %s, which is not in the flow", f.Name, end)
			}
		}
		f.Orderings = append(f.Orderings, o)
	}
	if err := f.checkPins(); err != nil {
		return nil, err
	}
	return f, nil
}

func parseMethod(rm *rawMethod) *Method {
	m := &Method{UUID: rm.UUID, Address: rm.Address, Title: rm.Node.Data.Name, Branches: rm.Branches, Joins: map[string][]string{}}
	parts := strings.Split(rm.Address, ":")
	m.Key = rm.Node.Key
	if len(parts) >= 3 {
		m.Kernel = parts[1] == "kernel"
		if m.Kernel {
			m.Module = parts[2]
		} else if len(parts) >= 4 {
			m.Module = parts[3]
		}
		if m.Key == "" {
			m.Key = parts[len(parts)-1]
		}
	}
	if s, ok := rm.Node.Model.Config.(string); ok {
		m.Config = s
	}
	m.Webhook = rm.Node.Model.Webhook
	switch c := rm.Node.Model.Comments.(type) {
	case string:
		m.Comments = c
	case map[string]any:
		// A Comment card: its title and text.
		for _, k := range []string{"title", "markdown"} {
			if s, ok := c[k].(string); ok && strings.TrimSpace(s) != "" {
				m.Comments = strings.TrimSpace(m.Comments + "\n" + s)
			}
		}
	}
	if e, ok := rm.Node.Model.Policy["error"].(map[string]any); ok {
		if t, ok := e["type"].(string); ok {
			m.ErrorPolicy = t
		}
		if f, ok := e["flo"].(map[string]any); ok {
			if _, inline := f["methods"]; inline {
				m.ErrorFlow = f
			}
		}
	}
	m.Inputs = fields(rm.Node.Model.Inputs)
	m.Outputs = fields(rm.Node.Model.Outputs)
	for in, outs := range rm.Joins {
		for _, o := range outs {
			m.Joins[in] = append(m.Joins[in], o.Output)
		}
	}
	for out, targets := range rm.Pins {
		for card, ins := range targets {
			for _, in := range ins {
				m.Pins = append(m.Pins, Pin{Output: out, Card: card, Input: in.Input})
			}
		}
	}
	sort.Slice(m.Pins, func(i, j int) bool {
		a, b := m.Pins[i], m.Pins[j]
		return a.Output+"\x00"+a.Card+"\x00"+a.Input < b.Output+"\x00"+b.Card+"\x00"+b.Input
	})
	return m
}

func fields(rf *rawFields) []*Field {
	if rf == nil {
		return nil
	}
	var out []*Field
	for id, f := range rf.Data {
		if f == nil {
			continue
		}
		fl := &Field{ID: id, Key: f.Key, Index: f.Metadata.Index}
		for _, p := range f.Metadata.Path {
			if s, ok := p.(string); ok {
				fl.Path = append(fl.Path, s)
			}
		}
		if f.Group != nil {
			fl.Group = *f.Group
		}
		if f.Value != nil {
			fl.Type, fl.Data, fl.Collection = f.Value.Type, f.Value.Data, f.Value.Collection
		}
		out = append(out, fl)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Index != out[j].Index {
			return out[i].Index < out[j].Index
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// Field returns the input field with id, or nil.
func (m *Method) Input(id string) *Field { return findField(m.Inputs, id) }

// Output returns the output field with id, or nil.
func (m *Method) Output(id string) *Field { return findField(m.Outputs, id) }

func findField(fs []*Field, id string) *Field {
	for _, f := range fs {
		if f.ID == id {
			return f
		}
	}
	return nil
}

// checkPins rejects pins to cards or fields that do not exist and cycles
// of pins: the export is damaged and converting it would guess.
func (f *Flow) checkPins() error {
	next := map[string][]string{}
	for _, m := range f.Methods {
		for _, p := range m.Pins {
			t := f.byID[p.Card]
			if t == nil {
				return fmt.Errorf("flow %q: card %q wires its output to card %s, which is not in the flow", f.Name, m.Title, p.Card)
			}
			if m.Output(p.Output) == nil {
				return fmt.Errorf("flow %q: card %q wires output field %s, which the card does not have", f.Name, m.Title, p.Output)
			}
			if t.Input(p.Input) == nil {
				return fmt.Errorf("flow %q: card %q wires an output to input field %s of card %q, which it does not have", f.Name, m.Title, p.Input, t.Title)
			}
			next[m.UUID] = append(next[m.UUID], p.Card)
		}
	}
	const (
		white = iota
		grey
		black
	)
	color := map[string]int{}
	var visit func(id string, path []string) error
	visit = func(id string, path []string) error {
		color[id] = grey
		path = append(path, f.byID[id].Title)
		for _, n := range next[id] {
			switch color[n] {
			case grey:
				return fmt.Errorf("flow %q: the pins form a cycle: %s → %s", f.Name, strings.Join(path, " → "), f.byID[n].Title)
			case white:
				if err := visit(n, path); err != nil {
					return err
				}
			}
		}
		color[id] = black
		return nil
	}
	for _, m := range f.Methods {
		if color[m.UUID] == white {
			if err := visit(m.UUID, nil); err != nil {
				return err
			}
		}
	}
	return nil
}
