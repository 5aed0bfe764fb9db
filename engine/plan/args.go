package plan

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/cardflow/cardflow/engine/config"
	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/lang"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// convertArg converts v to the argument's type and runs its static check.
func convertArg(a connector.Attribute, expr hcl.Expression, v cty.Value) (cty.Value, hcl.Diagnostics) {
	conv, err := convert.Convert(v, a.Type)
	if err != nil {
		return cty.UnknownVal(a.Type), hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Incorrect argument type",
			Detail:   fmt.Sprintf("The argument %q must be %s: %s.", a.Name, friendly(a.Type), err),
			Subject:  expr.Range().Ptr(),
		}}
	}
	if a.Check != nil && conv.IsWhollyKnown() && !conv.IsNull() {
		plain, _ := conv.UnmarkDeep()
		if err := a.Check(plain); err != nil {
			return conv, hcl.Diagnostics{{
				Severity: hcl.DiagError,
				Summary:  "Invalid argument value",
				Detail:   fmt.Sprintf("The argument %q is not valid: %s", a.Name, sentence(err.Error())),
				Subject:  expr.Range().Ptr(),
			}}
		}
	}
	if a.Required && conv.IsKnown() && conv.IsNull() {
		return conv, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Missing required argument",
			Detail:   fmt.Sprintf("The argument %q is required, but its value is null.", a.Name),
			Subject:  expr.Range().Ptr(),
		}}
	}
	return conv, nil
}

// sentence ends s with a period unless it already ends a sentence.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if strings.HasSuffix(s, ".") || strings.HasSuffix(s, "?") || strings.HasSuffix(s, "!") {
		return s
	}
	return s + "."
}

func friendly(ty cty.Type) string {
	if ty == cty.DynamicPseudoType {
		return "any value"
	}
	name := ty.FriendlyNameForConstraint()
	switch name {
	case "string", "number", "bool":
		return "a " + name
	}
	return name
}

// checkLiteralSecret rejects secrets written into flow files: a sensitive
// argument must come from env(), file() or a sensitive variable.
func checkLiteralSecret(kind, name string, expr hcl.Expression) hcl.Diagnostics {
	if len(expr.Variables()) > 0 || hasCall(expr) {
		return nil
	}
	v, d := expr.Value(nil)
	if d.HasErrors() || !hasLiteralText(v) {
		return nil
	}
	return hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Literal secret",
		Detail:   literalSecretDetail(kind, name),
		Subject:  expr.Range().Ptr(),
	}}
}

// hasLiteralText reports whether v holds a non-empty string anywhere: a
// literal token, or a map of literal headers.
func hasLiteralText(v cty.Value) bool {
	if v.IsNull() || !v.IsKnown() {
		return false
	}
	if v.Type() == cty.String {
		return v.AsString() != ""
	}
	if v.CanIterateElements() {
		for it := v.ElementIterator(); it.Next(); {
			if _, e := it.Element(); hasLiteralText(e) {
				return true
			}
		}
	}
	return false
}

func literalSecretDetail(kind, name string) string {
	if kind == "variable" {
		return fmt.Sprintf("The variable %q is sensitive and its default is a literal value: secrets must not live in flow files. Remove the default and set the value with CARDFLOW_VAR_%s or --var-file, or use env(\"NAME\") in the argument instead.", name, name)
	}
	return fmt.Sprintf("The %s %q is sensitive and holds a literal value: secrets must not live in flow files. Use env(\"NAME\"), file(\"path\") or a sensitive variable.", kind, name)
}

func hasCall(expr hcl.Expression) bool {
	found := false
	if se, ok := expr.(hclsyntax.Expression); ok {
		hclsyntax.VisitAll(se, func(n hclsyntax.Node) hcl.Diagnostics {
			if _, ok := n.(*hclsyntax.FunctionCallExpr); ok {
				found = true
			}
			return nil
		})
	}
	return found
}

// checkEnvCalls reports env("NAME") calls whose variable is not set: a
// warning for validate, an error for run.
func checkEnvCalls(cfg *config.Config, mode lang.Mode, host lang.Host) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, name := range sortedKeys(cfg.Files) {
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
			if _, set := host.LookupEnv(v.AsString()); set {
				return nil
			}
			sev, summary := hcl.DiagWarning, "Environment variable not set"
			if mode == lang.Live {
				sev = hcl.DiagError
			}
			diags = append(diags, &hcl.Diagnostic{
				Severity: sev,
				Summary:  summary,
				Detail:   fmt.Sprintf("The environment variable %s is not set, and cardflow run needs it: set it where cardflow runs.", v.AsString()),
				Subject:  call.Range().Ptr(),
			})
			return nil
		})
	}
	return diags
}

// ParseDuration parses Go durations plus a "d" suffix for days.
func ParseDuration(s string) (time.Duration, error) {
	if strings.HasSuffix(s, "d") {
		var n int
		if _, err := fmt.Sscanf(s, "%dd", &n); err == nil && fmt.Sprintf("%dd", n) == s {
			return time.Duration(n) * 24 * time.Hour, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration such as \"30s\", \"5m\" or \"1h\"", s)
	}
	return d, nil
}

// evalDuration evaluates an optional duration expression with a minimum.
func evalDuration(expr hcl.Expression, scope *lang.Scope, what string, min time.Duration) (time.Duration, hcl.Diagnostics) {
	if expr == nil {
		return 0, nil
	}
	v, diags := expr.Value(scope.EvalContext())
	if diags.HasErrors() || !v.IsKnown() || v.IsNull() {
		return 0, diags
	}
	v, _ = v.Unmark()
	if v.Type() != cty.String {
		return 0, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid duration",
			Detail:   fmt.Sprintf("The %s is a duration string such as \"30s\" or \"5m\", not %s.", what, v.Type().FriendlyName()),
			Subject:  expr.Range().Ptr(),
		}}
	}
	d, err := ParseDuration(v.AsString())
	if err == nil && d < min {
		err = fmt.Errorf("%s is below the minimum of %s", v.AsString(), min)
	}
	if err != nil {
		return 0, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid duration",
			Detail:   fmt.Sprintf("The %s is not valid: %s.", what, err),
			Subject:  expr.Range().Ptr(),
		}}
	}
	return d, nil
}

// evalInt evaluates an optional whole-number expression within [min, max].
func evalInt(expr hcl.Expression, scope *lang.Scope, what string, min, max int) (int, hcl.Diagnostics) {
	if expr == nil {
		return 0, nil
	}
	v, diags := expr.Value(scope.EvalContext())
	if diags.HasErrors() || !v.IsKnown() || v.IsNull() {
		return 0, diags
	}
	v, _ = v.Unmark()
	nv, err := convert.Convert(v, cty.Number)
	var n int64
	if err == nil {
		bf := nv.AsBigFloat()
		n, _ = bf.Int64()
		if !bf.IsInt() {
			err = fmt.Errorf("%s is not a whole number", bf.Text('g', -1))
		}
	}
	if err == nil && (n < int64(min) || n > int64(max)) {
		err = fmt.Errorf("%d is outside %d..%d", n, min, max)
	}
	if err != nil {
		return 0, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid number",
			Detail:   fmt.Sprintf("The %s is not valid: %s.", what, err),
			Subject:  expr.Range().Ptr(),
		}}
	}
	return int(n), nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
