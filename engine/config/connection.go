package config

import (
	"fmt"
	"strings"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/internal/didyoumean"
	"github.com/hashicorp/hcl/v2"
)

func schemaOf(s connector.Schema) *hcl.BodySchema {
	bs := &hcl.BodySchema{Attributes: make([]hcl.AttributeSchema, 0, len(s))}
	for _, a := range s {
		bs.Attributes = append(bs.Attributes, hcl.AttributeSchema{Name: a.Name, Required: a.Required})
	}
	return bs
}

func decodeConnection(b *hcl.Block, reg *connector.Registry) (*Connection, hcl.Diagnostics) {
	c := &Connection{Type: b.Labels[0], Name: b.Labels[1], DeclRange: b.DefRange, TypeRange: b.LabelRanges[0]}
	var diags hcl.Diagnostics
	diags = append(diags, checkName("connection", c.Name, b.LabelRanges[1])...)
	conn, ok := reg.Connector(c.Type)
	if !ok {
		var withConn []string
		for _, n := range reg.Names() {
			if cc, _ := reg.Connector(n); cc.HasConnection() {
				withConn = append(withConn, n)
			}
		}
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Unknown connector type",
			Detail: fmt.Sprintf("There is no connector %q.%s Connectors with connections: %s.",
				c.Type, didyoumean.Hint(c.Type, withConn), strings.Join(withConn, ", ")),
			Subject: b.LabelRanges[0].Ptr(),
		})
		return nil, diags
	}
	if !conn.HasConnection() {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Connector takes no connection",
			Detail:   fmt.Sprintf("The %q connector's cards run inside the engine and need no connection block.", c.Type),
			Subject:  b.LabelRanges[0].Ptr(),
		})
		return nil, diags
	}
	c.Connector = conn
	content, d := b.Body.Content(schemaOf(conn.Connection))
	diags = append(diags, d...)
	c.Attrs = content.Attributes
	return c, diags
}

// checkName reports names that cannot be used in references.
func checkName(kind, name string, rng hcl.Range) hcl.Diagnostics {
	if validName(name) {
		return nil
	}
	return hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Invalid " + kind + " name",
		Detail:   fmt.Sprintf("%q is not a valid name: use letters, digits, underscores and dashes, starting with a letter.", name),
		Subject:  rng.Ptr(),
	}}
}

func validName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case i > 0 && (r >= '0' && r <= '9' || r == '_' || r == '-'):
		default:
			return false
		}
	}
	return true
}
