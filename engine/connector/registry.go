package connector

import (
	"fmt"
	"strings"
)

// Registry holds the connectors an engine knows. It is a value: build one
// per engine (tests build theirs with fakes).
type Registry struct {
	byName map[string]*Connector
}

// NewRegistry returns a registry holding cs. It panics on a duplicate name,
// as database/sql.Register does: two connectors of one name is a bug.
func NewRegistry(cs ...*Connector) *Registry {
	r := &Registry{byName: make(map[string]*Connector, len(cs))}
	for _, c := range cs {
		r.Register(c)
	}
	return r
}

// Register adds c. It panics if c is nil or its name is taken.
func (r *Registry) Register(c *Connector) {
	if c == nil || c.Name == "" {
		panic("connector: Register of a nil or unnamed connector")
	}
	if _, dup := r.byName[c.Name]; dup {
		panic("connector: Register called twice for " + c.Name)
	}
	r.byName[c.Name] = c
}

// Clone returns a copy that can be changed without affecting r.
func (r *Registry) Clone() *Registry {
	c := &Registry{byName: make(map[string]*Connector, len(r.byName))}
	for k, v := range r.byName {
		c.byName[k] = v
	}
	return c
}

// Connector returns the connector called name.
func (r *Registry) Connector(name string) (*Connector, bool) {
	c, ok := r.byName[name]
	return c, ok
}

// Names returns the connector names in order.
func (r *Registry) Names() []string {
	return SortedKeys(r.byName)
}

// Action resolves "connector.action".
func (r *Registry) Action(qualified string) (*Connector, *Action, error) {
	c, rest, err := r.split(qualified)
	if err != nil {
		return nil, nil, err
	}
	a, ok := c.Action(rest)
	if !ok {
		return c, nil, fmt.Errorf("connector %q has no action %q", c.Name, rest)
	}
	return c, a, nil
}

// Trigger resolves "connector.trigger".
func (r *Registry) Trigger(qualified string) (*Connector, *Trigger, error) {
	c, rest, err := r.split(qualified)
	if err != nil {
		return nil, nil, err
	}
	t, ok := c.Trigger(rest)
	if !ok {
		return c, nil, fmt.Errorf("connector %q has no trigger %q", c.Name, rest)
	}
	return c, t, nil
}

// ActionNames returns every qualified action name, for suggestions.
func (r *Registry) ActionNames() []string {
	var names []string
	for _, cn := range r.Names() {
		for _, a := range r.byName[cn].Actions {
			names = append(names, cn+"."+a.Name)
		}
	}
	return names
}

// TriggerNames returns every qualified trigger name, for suggestions.
func (r *Registry) TriggerNames() []string {
	var names []string
	for _, cn := range r.Names() {
		for _, t := range r.byName[cn].Triggers {
			names = append(names, cn+"."+t.Name)
		}
	}
	return names
}

func (r *Registry) split(qualified string) (*Connector, string, error) {
	name, rest, ok := strings.Cut(qualified, ".")
	if !ok || name == "" || rest == "" {
		return nil, "", fmt.Errorf("%q is not of the form connector.name", qualified)
	}
	c, ok := r.byName[name]
	if !ok {
		return nil, "", fmt.Errorf("there is no connector %q", name)
	}
	return c, rest, nil
}
