package importer

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

// literal renders a JSON value of the export as an HCL expression.
func literal(v any) string {
	return string(hclwrite.TokensForValue(toCty(v)).Bytes())
}

func toCty(v any) cty.Value {
	switch x := v.(type) {
	case nil:
		return cty.NullVal(cty.DynamicPseudoType)
	case string:
		return cty.StringVal(x)
	case bool:
		return cty.BoolVal(x)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return cty.NullVal(cty.Number)
		}
		return cty.NumberFloatVal(x)
	case []any:
		if len(x) == 0 {
			return cty.EmptyTupleVal
		}
		vs := make([]cty.Value, len(x))
		for i, e := range x {
			vs[i] = toCty(e)
		}
		return cty.TupleVal(vs)
	case map[string]any:
		if len(x) == 0 {
			return cty.EmptyObjectVal
		}
		m := make(map[string]cty.Value, len(x))
		for k, e := range x {
			m[k] = toCty(e)
		}
		return cty.ObjectVal(m)
	}
	return cty.StringVal(fmt.Sprint(v))
}

// isEmptyLiteral reports whether a field's literal means "not set": Okta
// Workflows stores "" and {} for fields left blank.
func isEmptyLiteral(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case map[string]any:
		return len(x) == 0
	case []any:
		return len(x) == 0
	}
	return false
}

// object renders an HCL object constructor from ordered keys.
func object(keys []string, vals map[string]string) string {
	if len(keys) == 0 {
		return "{}"
	}
	var b strings.Builder
	b.WriteString("{\n")
	for _, k := range keys {
		key := k
		if !isIdent(k) {
			key = strconv.Quote(k)
		}
		fmt.Fprintf(&b, "%s = %s\n", key, vals[k])
	}
	b.WriteString("}")
	return b.String()
}

// template renders a string template from text parts and expressions: the
// result of Okta's Compose card.
func template(parts []string, exprs []string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i, p := range parts {
		b.WriteString(escapeTemplate(p))
		if i < len(exprs) {
			b.WriteString("${" + exprs[i] + "}")
		}
	}
	b.WriteByte('"')
	return b.String()
}

func escapeTemplate(s string) string {
	q := strconv.Quote(s)
	q = q[1 : len(q)-1]
	q = strings.ReplaceAll(q, "${", "$${")
	q = strings.ReplaceAll(q, "%{", "%%{")
	return q
}

var composeSlot = regexp.MustCompile(`\{\{\{?([^{}]+?)\}?\}\}`)

// splitCompose splits Okta's compose text "Hello {{{id}}}" into the text
// around the slots and the slot ids.
func splitCompose(s string) (parts, slots []string) {
	last := 0
	for _, m := range composeSlot.FindAllStringSubmatchIndex(s, -1) {
		parts = append(parts, s[last:m[0]])
		slots = append(slots, s[m[2]:m[3]])
		last = m[1]
	}
	return append(parts, s[last:]), slots
}

// isReference reports whether e is a plain traversal (card.x.y,
// trigger.input["k"]) that expr-lang reads the same way.
var referenceRE = regexp.MustCompile(`^(card|trigger|each)(\.[A-Za-z_][A-Za-z0-9_]*|\[[0-9]+\]|\["[^"\\]*"\])*$`)

func isReference(e string) bool { return referenceRE.MatchString(e) }

// exprLangLiteral renders a literal for an expr-lang predicate.
func exprLangLiteral(v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "nil", true
	case bool:
		return strconv.FormatBool(x), true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case string:
		return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(x) + "'", true
	}
	return "", false
}
