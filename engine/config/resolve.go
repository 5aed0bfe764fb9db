package config

import (
	"fmt"
	"strings"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/internal/didyoumean"
	"github.com/hashicorp/hcl/v2"
)

// resolve checks the references that structure alone can settle: the
// connections of triggers and cards, and the flows named by on_error.
func (cfg *Config) resolve(reg *connector.Registry) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, name := range cfg.FlowNames() {
		f := cfg.Flows[name]
		// A connector without connections already got "Unexpected connection".
		if t := f.Trigger; t != nil && t.Connection != "" && t.Connector.HasConnection() {
			diags = append(diags, cfg.checkConnection(t.Connector, t.Connection, t.ConnectionRange)...)
		}
		for _, c := range f.Cards {
			if c.Connection != "" && c.Connector != nil && c.Connector.HasConnection() {
				diags = append(diags, cfg.checkConnection(c.Connector, c.Connection, c.ConnectionRange)...)
			}
			if c.OnError.Mode == CallFlow {
				diags = append(diags, cfg.checkFlow(c.OnError.Flow, c.OnError.Range)...)
			}
		}
		if f.OnError != "" {
			diags = append(diags, cfg.checkFlow(f.OnError, f.OnErrorRange)...)
			if f.OnError == f.Name {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Flow handles its own errors",
					Detail:   "A flow's on_error flow must be another flow, or a failure would call itself forever.",
					Subject:  f.OnErrorRange.Ptr(),
				})
			}
		}
	}
	return diags
}

func (cfg *Config) checkConnection(conn *connector.Connector, addr string, rng hcl.Range) hcl.Diagnostics {
	typ, _, _ := strings.Cut(addr, ".")
	if typ != conn.Name {
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Wrong connection type",
			Detail:   fmt.Sprintf("This needs a connection of type %q, but connection.%s is of type %q: refer to one such as connection.%s.main.", conn.Name, addr, typ, conn.Name),
			Subject:  rng.Ptr(),
		}}
	}
	if _, ok := cfg.Connections[addr]; !ok {
		var same []string
		for a := range cfg.Connections {
			if strings.HasPrefix(a, typ+".") {
				same = append(same, a)
			}
		}
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Unknown connection",
			Detail:   fmt.Sprintf("There is no connection %q %q.%s", typ, strings.TrimPrefix(addr, typ+"."), didyoumean.Hint(addr, same)),
			Subject:  rng.Ptr(),
		}}
	}
	return nil
}

func (cfg *Config) checkFlow(name string, rng hcl.Range) hcl.Diagnostics {
	if _, ok := cfg.Flows[name]; ok || name == "" {
		return nil
	}
	return hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Unknown flow",
		Detail:   fmt.Sprintf("There is no flow %q.%s", name, didyoumean.Hint(name, cfg.FlowNames())),
		Subject:  rng.Ptr(),
	}}
}
