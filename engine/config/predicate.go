package config

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// decodePredicate decodes a card's if or a trigger's filter: an expr-lang
// condition in a quoted string. Written as an HCL expression
// (if = card.read_user.status != "ACTIVE"), HCL would say only that
// variables are not allowed; the diagnostic says what to write instead,
// the author's own condition rewritten in quotes. src is the file the
// expression is in, nil when unknown.
func decodePredicate(name string, expr hcl.Expression, src []byte) (string, hcl.Diagnostics) {
	var s string
	if len(expr.Variables()) == 0 {
		return s, gohcl.DecodeExpression(expr, nil, &s)
	}
	detail := fmt.Sprintf("The %s argument is an expr-lang condition in quotes, which the engine evaluates when it runs, not an HCL expression.", name)
	switch expr.(type) {
	case *hclsyntax.TemplateExpr, *hclsyntax.TemplateWrapExpr:
		detail += " It refers to trigger and card values directly, without ${ }: write, for example, " + name + ` = "card.read_user.status != 'ACTIVE'".`
	default:
		if text, ok := exprLangText(expr.Range(), src); ok {
			detail += fmt.Sprintf(" Write it quoted, with single-quoted strings inside: %s = \"%s\".", name, text)
		} else {
			detail += " Put it in quotes, with single-quoted strings inside: " + name + ` = "card.read_user.status != 'ACTIVE'".`
		}
	}
	return "", hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Condition must be a quoted string",
		Detail:   detail,
		Subject:  expr.Range().Ptr(),
	}}
}

// exprLangText rewrites the HCL source of rng as expr-lang for a double-
// quoted string: its strings single-quoted, null as nil, the rest (paths,
// operators, spacing) as written.
func exprLangText(rng hcl.Range, src []byte) (string, bool) {
	if rng.Start.Byte < 0 || rng.End.Byte > len(src) || rng.Start.Byte >= rng.End.Byte {
		return "", false
	}
	code := src[rng.Start.Byte:rng.End.Byte]
	toks, diags := hclsyntax.LexExpression(code, rng.Filename, rng.Start)
	if diags.HasErrors() {
		return "", false
	}
	var b strings.Builder
	at := 0 // bytes of code written
	for _, tok := range toks {
		start, end := tok.Range.Start.Byte-rng.Start.Byte, tok.Range.End.Byte-rng.Start.Byte
		if start < at || end > len(code) {
			continue
		}
		b.Write(code[at:start])
		at = end
		switch {
		case tok.Type == hclsyntax.TokenOQuote || tok.Type == hclsyntax.TokenCQuote:
			b.WriteByte('\'')
		case tok.Type == hclsyntax.TokenQuotedLit:
			b.WriteString(strings.ReplaceAll(string(tok.Bytes), `'`, `\'`))
		case tok.Type == hclsyntax.TokenIdent && string(tok.Bytes) == "null":
			b.WriteString("nil")
		case tok.Type == hclsyntax.TokenTemplateInterp || tok.Type == hclsyntax.TokenOHeredoc:
			return "", false // templates have no expr-lang spelling
		default:
			b.Write(tok.Bytes)
		}
	}
	b.Write(code[at:])
	return strings.TrimSpace(strings.ReplaceAll(b.String(), `"`, `\"`)), true
}
