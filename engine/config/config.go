package config

import (
	"github.com/cardflow/cardflow/engine/connector"
	"github.com/hashicorp/hcl/v2"
)

// Config is one whole configuration: every .hcl file under the given paths.
type Config struct {
	// Files holds the parsed files by name, for diagnostic snippets.
	Files       map[string]*hcl.File
	Sources     map[string][]byte
	Connections map[string]*Connection // by "type.name"
	Variables   map[string]*Variable
	Tables      map[string]*Table
	Flows       map[string]*Flow
	// Tests holds the run blocks of *.test.hcl files.
	Tests []*TestFile
}

// FlowNames returns the flow names in order.
func (c *Config) FlowNames() []string { return connector.SortedKeys(c.Flows) }

// Connection is a `connection "<type>" "<name>"` block.
type Connection struct {
	Type, Name string
	Connector  *connector.Connector
	// Attrs are the arguments, decoded against the connector's schema.
	Attrs     hcl.Attributes
	DeclRange hcl.Range
	TypeRange hcl.Range
}

// Addr is the connection's address, "okta.main".
func (c *Connection) Addr() string { return c.Type + "." + c.Name }

// Variable is a `variable "<name>"` block.
type Variable struct {
	Name        string
	Type        TypeConstraint
	Default     hcl.Expression // nil when absent
	Description string
	Sensitive   bool
	DeclRange   hcl.Range
}

// Table is a `table "<name>"` block: a small keyed store owned by flows.
type Table struct {
	Name      string
	Columns   []Column
	Key       string
	DeclRange hcl.Range
}

// Column is one column of a table.
type Column struct {
	Name  string
	Type  TypeConstraint
	Range hcl.Range
}
