package plan

import (
	"encoding/json"

	"github.com/cardflow/cardflow/engine/config"
	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/lang"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// Options configure Compile.
type Options struct {
	Registry *connector.Registry
	Vars     lang.VarValues
	Mode     lang.Mode
	Host     lang.Host
	// Pinned are variable values from a definition snapshot (JSON by name);
	// they replace what Vars gives, so that a pinned execution resumes with
	// the values it started with. Sensitive variables are never pinned.
	Pinned map[string]json.RawMessage
	// CheckEnv reports env() calls of unset variables as errors in Check
	// mode too (validate --check-env); Live mode always does.
	CheckEnv bool
}

// Compile checks cfg whole and returns the generation. The generation is
// usable only when the diagnostics have no errors.
func Compile(cfg *config.Config, opts Options) (*Generation, hcl.Diagnostics) {
	if opts.Host.LookupEnv == nil {
		opts.Host = lang.DefaultHost()
	}
	gen := &Generation{
		Config:      cfg,
		Registry:    opts.Registry,
		Connections: map[string]*Connection{},
		Flows:       map[string]*Flow{},
		Tables:      cfg.Tables,
		Mode:        opts.Mode,
		Host:        opts.Host,
	}
	var diags hcl.Diagnostics
	vars, d := lang.EvalVariables(cfg, opts.Vars, opts.Mode, opts.Host)
	diags = append(diags, d...)
	gen.Vars = pinVars(cfg, vars, opts.Pinned)
	envDiags, envCallRanges := checkEnvCalls(cfg, opts)
	diags = append(diags, envDiags...)
	for _, name := range connector.SortedKeys(cfg.Variables) {
		if v := cfg.Variables[name]; v.Sensitive && v.Default != nil {
			diags = append(diags, checkLiteralSecret("variable", name, v.Default)...)
		}
	}
	gen.Funcs = lang.Functions(opts.Mode, opts.Host)
	c := &compiler{gen: gen, funcs: gen.Funcs}
	c.static = lang.Scope{
		Vars:   gen.Vars,
		Tables: lang.NamesObject(connector.SortedKeys(cfg.Tables)),
		Flows:  lang.NamesObject(cfg.FlowNames()),
		Funcs:  c.funcs,
	}
	for _, addr := range connector.SortedKeys(cfg.Connections) {
		conn, d := c.connection(cfg.Connections[addr])
		diags = append(diags, d...)
		gen.Connections[addr] = conn
	}
	// Flows check independently of each other: on every CPU.
	names := cfg.FlowNames()
	flows := make([]*Flow, len(names))
	flowDiags := make([]hcl.Diagnostics, len(names))
	config.Parallel(len(names), func(i int) {
		flows[i], flowDiags[i] = c.flow(cfg.Flows[names[i]])
	})
	for i, name := range names {
		diags = append(diags, flowDiags[i]...)
		if flows[i] != nil {
			gen.Flows[name] = flows[i]
		}
	}
	diags = append(diags, checkFlowCycles(gen)...)
	diags = dropEnvArgErrors(diags, envCallRanges)
	lang.SuggestAttributes(diags)
	if !diags.HasErrors() {
		snap, err := snapshot(cfg, gen)
		if err != nil {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Cannot snapshot definitions", Detail: err.Error()})
		}
		gen.Snapshot = snap
		for _, f := range gen.Flows {
			f.Hash = flowHash(cfg, f, gen.Vars)
		}
	}
	return gen, diags
}

type compiler struct {
	gen   *Generation
	funcs map[string]function.Function
	// static is what every expression may reference, built once: the
	// objects of table and flow names grow with the configuration, and
	// rebuilding them per expression made validate quadratic.
	static lang.Scope
	// exprs type-checks the load's expr-lang expressions and keeps the
	// struct types that mirror their environments for the next ones.
	exprs lang.ExprChecker
}

// staticScope returns a copy of the static scope for the caller to extend.
func (c *compiler) staticScope() *lang.Scope {
	s := c.static
	return &s
}

func (c *compiler) connection(decl *config.Connection) (*Connection, hcl.Diagnostics) {
	conn := &Connection{Addr: decl.Addr(), Connector: decl.Connector}
	val, diags := c.evalArgs(decl.Connector.Connection, decl.Attrs, c.staticScope(), c.staticRefs)
	conn.Config = val
	conn.Hash = valueHash(decl.Addr(), val)
	conn.Pins = pinDigests(decl.Connector.Connection, val)
	return conn, diags
}

// evalArgs evaluates attrs against schema in scope and returns the object
// of all arguments (defaults for absent ones). Sensitive arguments are
// marked; literals in them are errors.
func (c *compiler) evalArgs(schema connector.Schema, attrs hcl.Attributes, scope *lang.Scope, refCheck func(hcl.Expression) hcl.Diagnostics) (cty.Value, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	ctx := scope.EvalContext()
	vals := make(map[string]cty.Value, len(schema))
	for _, a := range schema {
		attr, ok := attrs[a.Name]
		if !ok {
			if a.Default != cty.NilVal {
				vals[a.Name] = a.Default
			} else {
				vals[a.Name] = cty.NullVal(a.Type)
			}
			continue
		}
		if a.Sensitive {
			diags = append(diags, checkLiteralSecret("argument", a.Name, attr.Expr)...)
		}
		diags = append(diags, checkCredentialKeys(a, attr.Expr, c.funcs)...)
		if refCheck != nil {
			d := refCheck(attr.Expr)
			diags = append(diags, d...)
			if d.HasErrors() {
				vals[a.Name] = cty.UnknownVal(a.Type)
				continue
			}
		}
		v, d := attr.Expr.Value(ctx)
		if !d.HasErrors() {
			d = append(d, lang.CheckUnevaluated(attr.Expr, ctx)...)
		}
		diags = append(diags, d...)
		if d.HasErrors() {
			vals[a.Name] = cty.UnknownVal(a.Type)
			continue
		}
		v, d = convertArg(a, attr.Expr, v)
		diags = append(diags, d...)
		if a.Sensitive {
			v = v.Mark(lang.Sensitive)
		}
		vals[a.Name] = v
	}
	return cty.ObjectVal(vals), diags
}

// pinVars replaces variable values by the pinned ones.
func pinVars(cfg *config.Config, vars cty.Value, pinned map[string]json.RawMessage) cty.Value {
	if len(pinned) == 0 || !vars.Type().IsObjectType() {
		return vars
	}
	vals := map[string]cty.Value{}
	for name := range vars.Type().AttributeTypes() {
		vals[name] = vars.GetAttr(name)
		raw, ok := pinned[name]
		v, declared := cfg.Variables[name]
		if !ok || !declared || v.Sensitive {
			continue
		}
		if pv, err := connector.FromJSON(raw, v.Type.Type); err == nil {
			vals[name] = pv
		}
	}
	return cty.ObjectVal(vals)
}
