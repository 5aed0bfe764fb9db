package plan

import (
	"fmt"
	"slices"
	"strings"

	"github.com/cardflow/cardflow/engine/config"
	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/lang"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// envCall is an env("NAME") call with a literal name.
type envCall struct {
	name string
	call *hclsyntax.FunctionCallExpr
}

// envCalls returns the env() calls with a literal name in cfg's flow
// files (test files set no connections), in file order.
func envCalls(cfg *config.Config) []envCall {
	var calls []envCall
	for _, name := range connector.SortedKeys(cfg.Files) {
		body, ok := cfg.Files[name].Body.(*hclsyntax.Body)
		if !ok || strings.HasSuffix(name, config.TestFileSuffix) {
			continue
		}
		hclsyntax.VisitAll(body, func(n hclsyntax.Node) hcl.Diagnostics {
			call, ok := n.(*hclsyntax.FunctionCallExpr)
			if !ok || call.Name != "env" || len(call.Args) != 1 {
				return nil
			}
			v, d := call.Args[0].Value(nil)
			if d.HasErrors() || !v.IsKnown() || v.IsNull() || v.Type() != cty.String {
				return nil
			}
			calls = append(calls, envCall{name: v.AsString(), call: call})
			return nil
		})
	}
	return calls
}

// UnsetEnv returns the names of the environment variables that cfg's
// env() calls read and host does not set, sorted, each once. validate
// prints them as one line: in CI they are expected to be unset.
func UnsetEnv(cfg *config.Config, host lang.Host) []string {
	if cfg == nil || host.LookupEnv == nil {
		return nil
	}
	var names []string
	for _, c := range envCalls(cfg) {
		if _, set := host.LookupEnv(c.name); !set && !slices.Contains(names, c.name) {
			names = append(names, c.name)
		}
	}
	slices.Sort(names)
	return names
}

// checkEnvCalls reports each environment variable that env() calls read
// and the host does not set, once, at its first call: an error for run
// (Live) and for validate --check-env, nothing otherwise. It also returns
// the ranges of every such call, whose "Invalid function argument" errors
// (env() fails in Live mode) say the same thing again.
func checkEnvCalls(cfg *config.Config, opts Options) (hcl.Diagnostics, map[hcl.Range]bool) {
	if opts.Mode != lang.Live && !opts.CheckEnv {
		return nil, nil
	}
	var diags hcl.Diagnostics
	calls := map[hcl.Range]bool{}
	first := map[string]*hcl.Diagnostic{}
	for _, c := range envCalls(cfg) {
		if _, set := opts.Host.LookupEnv(c.name); set {
			continue
		}
		calls[c.call.Range()] = true
		if d := first[c.name]; d != nil {
			d.Detail = strings.Replace(d.Detail, " is not set", fmt.Sprintf(" (also read on %s:%d:%d) is not set", c.call.Range().Filename, c.call.Range().Start.Line, c.call.Range().Start.Column), 1)
			continue
		}
		d := &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Environment variable not set",
			Detail:   fmt.Sprintf("The environment variable %s is not set, and cardflow run needs it: set it where cardflow runs.", c.name),
			Subject:  c.call.Range().Ptr(),
		}
		first[c.name] = d
		diags = append(diags, d)
	}
	return diags, calls
}

// dropEnvArgErrors removes the errors env() itself raised for the calls
// checkEnvCalls reported.
func dropEnvArgErrors(diags hcl.Diagnostics, calls map[hcl.Range]bool) hcl.Diagnostics {
	if len(calls) == 0 {
		return diags
	}
	out := diags[:0]
	for _, d := range diags {
		if d.Summary == "Invalid function argument" && d.Context != nil && calls[*d.Context] {
			continue
		}
		out = append(out, d)
	}
	return out
}
