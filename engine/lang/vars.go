package lang

import (
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/cardflow/cardflow/engine/config"
	"github.com/cardflow/cardflow/internal/didyoumean"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// Sensitive is the cty mark carried by values that must never be shown.
const Sensitive = "sensitive"

// MinSecretLen is the shortest secret scrubbed by value: replacing every
// "1" or "yes" in a journal or an event would destroy it and protect
// nothing.
const MinSecretLen = 4

// SensitiveStrings calls add with every known string in v that is
// sensitive: all of them when sensitive is true, else those under a
// Sensitive mark.
func SensitiveStrings(v cty.Value, sensitive bool, add func(string)) {
	if v == cty.NilVal {
		return
	}
	if v.HasMark(Sensitive) {
		sensitive = true
	} else if !sensitive && !v.ContainsMarked() {
		return
	}
	v, _ = v.Unmark()
	if v.IsNull() || !v.IsKnown() {
		return
	}
	ty := v.Type()
	switch {
	case ty == cty.String:
		if sensitive {
			add(v.AsString())
		}
	case ty.IsCollectionType() || ty.IsObjectType() || ty.IsTupleType():
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			SensitiveStrings(e, sensitive, add)
		}
	}
}

// Redacted replaces sensitive values wherever they would be shown.
const Redacted = "(sensitive)"

// VarEnvPrefix is the prefix of environment variables that set flow
// variables, as Terraform's TF_VAR_.
const VarEnvPrefix = "CARDFLOW_VAR_"

// VarValues are the values given for variables from outside the files, in
// rising precedence: environment, --var-file, --var.
type VarValues struct {
	Env      map[string]string // from CARDFLOW_VAR_<name>
	Files    []string          // --var-file paths, in order
	Flags    []string          // --var name=value, in order
	FileData map[string][]byte // already-read var files (tests, definitions)
}

// VarsFromEnviron collects CARDFLOW_VAR_ variables from environ.
func VarsFromEnviron(environ []string) map[string]string {
	out := map[string]string{}
	for _, kv := range environ {
		k, v, ok := strings.Cut(kv, "=")
		if ok && strings.HasPrefix(k, VarEnvPrefix) && len(k) > len(VarEnvPrefix) {
			out[strings.TrimPrefix(k, VarEnvPrefix)] = v
		}
	}
	return out
}

// EvalVariables resolves every variable to a value of its declared type.
// In Check mode a variable without a value is unknown; in Live mode it is
// an error. Values of sensitive variables carry the Sensitive mark.
func EvalVariables(cfg *config.Config, given VarValues, mode Mode, funcs Host) (cty.Value, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	raw := map[string]rawVar{}
	for name, v := range given.Env {
		raw[name] = rawVar{text: v, src: VarEnvPrefix + name}
	}
	for _, path := range given.Files {
		data, ok := given.FileData[path]
		if !ok {
			b, err := os.ReadFile(path)
			if err != nil {
				diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Cannot read variables file", Detail: err.Error()})
				continue
			}
			data = b
		}
		f, d := hclsyntax.ParseConfig(data, path, hcl.InitialPos)
		diags = append(diags, d...)
		if d.HasErrors() {
			continue
		}
		attrs, d := f.Body.JustAttributes()
		diags = append(diags, d...)
		for name, a := range attrs {
			raw[name] = rawVar{expr: a.Expr, src: path}
		}
	}
	for _, kv := range given.Flags {
		name, v, ok := strings.Cut(kv, "=")
		if !ok || name == "" {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid --var",
				Detail:   fmt.Sprintf("%q is not of the form name=value.", kv),
			})
			continue
		}
		raw[name] = rawVar{text: v, src: "--var " + name}
	}
	for name, r := range raw {
		if _, ok := cfg.Variables[name]; !ok && r.expr == nil && !strings.HasPrefix(r.src, VarEnvPrefix) {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Undeclared variable",
				Detail:   fmt.Sprintf("%s sets %q, but no variable %q is declared.%s", r.src, name, name, didYouMeanVar(name, cfg)),
			})
		}
	}
	vals := make(map[string]cty.Value, len(cfg.Variables))
	for _, name := range slices.Sorted(maps.Keys(cfg.Variables)) {
		v := cfg.Variables[name]
		val, d := variableValue(v, raw[name], mode)
		diags = append(diags, d...)
		if v.Sensitive {
			val = val.Mark(Sensitive)
		}
		vals[name] = val
	}
	if len(vals) == 0 {
		return cty.EmptyObjectVal, diags
	}
	return cty.ObjectVal(vals), diags
}

// NoValueSummary is the summary of NoValue's diagnostic.
const NoValueSummary = "No value for required variable"

// NoValue is the diagnostic of variable v, which has no default, when it
// was given no value: an error in Live mode, and for dry-run in both.
func NoValue(v *config.Variable) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  NoValueSummary,
		Detail:   fmt.Sprintf("The variable %q has no default: set it with --var %s=…, --var-file or %s%s.", v.Name, v.Name, VarEnvPrefix, v.Name),
		Subject:  v.DeclRange.Ptr(),
	}
}

type rawVar struct {
	text string         // from env or --var: HCL for non-string types
	expr hcl.Expression // from a var file
	src  string
}

func didYouMeanVar(name string, cfg *config.Config) string {
	names := make([]string, 0, len(cfg.Variables))
	for n := range cfg.Variables {
		names = append(names, n)
	}
	return didyoumean.Hint(name, names)
}

func variableValue(v *config.Variable, r rawVar, mode Mode) (cty.Value, hcl.Diagnostics) {
	ty := v.Type.Type
	var val cty.Value
	var diags hcl.Diagnostics
	switch {
	case r.expr != nil:
		val, diags = r.expr.Value(nil)
	case r.src != "":
		if ty == cty.String {
			val = cty.StringVal(r.text)
			break
		}
		expr, d := hclsyntax.ParseExpression([]byte(r.text), r.src, hcl.InitialPos)
		if d.HasErrors() {
			return cty.UnknownVal(ty), hcl.Diagnostics{{
				Severity: hcl.DiagError,
				Summary:  "Invalid variable value",
				Detail:   fmt.Sprintf("The value of %s is not valid HCL for a %s: %s", r.src, ty.FriendlyName(), d[0].Detail),
				Subject:  v.DeclRange.Ptr(),
			}}
		}
		val, diags = expr.Value(nil)
	case v.Default != nil:
		val, diags = v.Default.Value(nil)
	case mode == Check:
		return cty.UnknownVal(ty), nil
	default:
		return cty.UnknownVal(ty), hcl.Diagnostics{NoValue(v)}
	}
	if diags.HasErrors() {
		return cty.UnknownVal(ty), diags
	}
	conv, err := convert.Convert(val, ty)
	if err != nil {
		subject := v.DeclRange
		if r.expr != nil {
			subject = r.expr.Range()
		} else if r.src == "" && v.Default != nil {
			subject = v.Default.Range()
		}
		where := "its default"
		if r.src != "" {
			where = r.src
		}
		return cty.UnknownVal(ty), hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid variable value",
			Detail:   fmt.Sprintf("The value from %s does not fit variable %q of type %s: %s.", where, v.Name, ty.FriendlyName(), err),
			Subject:  subject.Ptr(),
		}}
	}
	return conv, nil
}
