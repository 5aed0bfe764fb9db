package lang

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/agext/levenshtein"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// SuggestAttributes adds a did-you-mean to HCL's "Unsupported attribute"
// diagnostics (card.read_user.profil): HCL says only that the attribute is
// missing, but the object's type knows what the author probably meant.
// It re-walks the failing traversal in the diagnostic's own EvalContext.
func SuggestAttributes(diags hcl.Diagnostics) {
	for _, d := range diags {
		if d.Summary != "Unsupported attribute" || d.Subject == nil || d.EvalContext == nil || strings.Contains(d.Detail, "Did you mean") {
			continue
		}
		if names := attributeNamesAt(d); len(names) > 0 {
			d.Detail = strings.TrimSuffix(d.Detail, ".") + "." + didYouMean(missingName(d.Detail), names)
		}
	}
}

// missingName extracts X from `… an attribute named "X".`.
func missingName(detail string) string {
	const marker = `attribute named "`
	i := strings.Index(detail, marker)
	if i < 0 {
		return ""
	}
	rest := detail[i+len(marker):]
	if j := strings.IndexByte(rest, '"'); j >= 0 {
		return rest[:j]
	}
	return ""
}

// attributeNamesAt returns the attribute names of the object the failing
// step of d's traversal was applied to.
func attributeNamesAt(d *hcl.Diagnostic) []string {
	expr, ok := d.Expression.(*hclsyntax.ScopeTraversalExpr)
	if !ok || len(expr.Traversal) < 2 {
		return nil
	}
	root, ok := d.EvalContext.Variables[expr.Traversal.RootName()]
	for ctx := d.EvalContext; !ok && ctx.Parent() != nil; {
		ctx = ctx.Parent()
		root, ok = ctx.Variables[expr.Traversal.RootName()]
	}
	if !ok {
		return nil
	}
	val := root
	for _, step := range expr.Traversal[1:] {
		if attr, isAttr := step.(hcl.TraverseAttr); isAttr && attr.SrcRange == *d.Subject {
			ty := val.Type()
			if !ty.IsObjectType() {
				return nil
			}
			return slices.Sorted(maps.Keys(ty.AttributeTypes()))
		}
		next, diags := step.TraversalStep(val)
		if diags.HasErrors() || next == cty.NilVal {
			return nil
		}
		val = next
	}
	return nil
}

// didYouMean is a sentence naming the nearest of candidates, or "".
func didYouMean(given string, candidates []string) string {
	best, bestDist := "", 1<<30
	for _, c := range candidates {
		if d := levenshtein.Distance(strings.ToLower(given), strings.ToLower(c), nil); d < bestDist {
			best, bestDist = c, d
		}
	}
	if given == "" || best == "" || bestDist > 3 || bestDist > len(given)/3+1 {
		return ""
	}
	return fmt.Sprintf(" Did you mean %q?", best)
}
