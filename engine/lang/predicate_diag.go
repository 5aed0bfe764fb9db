package lang

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/expr-lang/expr/file"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

func exprDiag(src string, rng hcl.Range, err error, env map[string]cty.Type, wantBool bool, about string) *hcl.Diagnostic {
	msg := err.Error()
	subject := rng
	var fe *file.Error
	if ok := asFileError(err, &fe); ok {
		msg = fe.Message
		subject = narrow(rng, src, fe.Column)
	}
	hint := ""
	if i := strings.Index(msg, " has no field "); i >= 0 {
		field := strings.TrimSpace(msg[i+len(" has no field "):])
		msg = fmt.Sprintf("there is no field %q here", field)
		hint = didYouMean(field, receiverFields(src, fe, env))
		if fe != nil {
			subject = narrowField(rng, src, fe.Column, field)
		}
	} else if name, ok := strings.CutPrefix(msg, "unknown name "); ok {
		msg = fmt.Sprintf("there is nothing called %q here", name)
		hint = didYouMean(name, fieldNames(env))
	}
	what := "expression"
	if wantBool {
		what = "condition"
	}
	summary := "Invalid " + what
	switch {
	case strings.Contains(msg, "expected bool"):
		summary = "Condition is not a boolean"
	case strings.Contains(msg, "nothing called"), strings.Contains(msg, "no field"), strings.Contains(msg, "undefined"):
		summary = "Unknown field in " + what
	case strings.Contains(msg, "unexpected token"), strings.Contains(msg, "unexpected"), strings.Contains(msg, "literal not terminated"):
		summary = capitalize(what) + " syntax error"
	}
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  summary,
		Detail:   fmt.Sprintf("%s.%s %s", capitalize(strings.TrimSuffix(msg, ".")), hint, about),
		Subject:  subject.Ptr(),
	}
}

// receiverFields returns the attribute names of the object a failing
// field access was applied to (card.read_user in card.read_user.stauts),
// resolved from the source before the error's column; all of env's names
// when that path cannot be followed.
func receiverFields(src string, fe *file.Error, env map[string]cty.Type) []string {
	if fe == nil || fe.Column <= 0 || fe.Column > len(src) {
		return fieldNames(env)
	}
	before := src[:fe.Column]
	start := len(before)
	for start > 0 && (isIdentByte(before[start-1]) || before[start-1] == '.') {
		start--
	}
	path := strings.Split(strings.Trim(before[start:], "."), ".")
	ty, ok := env[path[0]]
	for _, step := range path[1:] {
		if !ok || !ty.IsObjectType() || !ty.HasAttribute(step) {
			return fieldNames(env)
		}
		ty = ty.AttributeType(step)
	}
	if !ok || !ty.IsObjectType() {
		return fieldNames(env)
	}
	return slices.Sorted(maps.Keys(ty.AttributeTypes()))
}

func isIdentByte(b byte) bool {
	return b == '_' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
}

// fieldNames returns every name in env and its object types, for
// did-you-mean suggestions on unknown fields.
func fieldNames(env map[string]cty.Type) []string {
	seen := map[string]bool{}
	var walk func(ty cty.Type, depth int)
	walk = func(ty cty.Type, depth int) {
		switch {
		case depth > 4:
		case ty.IsObjectType():
			for name, aty := range ty.AttributeTypes() {
				seen[name] = true
				walk(aty, depth+1)
			}
		case ty.IsListType() || ty.IsSetType() || ty.IsMapType():
			walk(ty.ElementType(), depth+1)
		}
	}
	for name, ty := range env {
		seen[name] = true
		walk(ty, 0)
	}
	return slices.Sorted(maps.Keys(seen))
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func asFileError(err error, target **file.Error) bool {
	fe, ok := err.(*file.Error)
	if ok {
		*target = fe
	}
	return ok
}

// narrow points at column col (0-based, in runes) of a quoted string
// literal's content when the literal is on one line.
func narrow(rng hcl.Range, src string, col int) hcl.Range {
	if rng.Start.Line != rng.End.Line || col < 0 || col > len(src) {
		return rng
	}
	start := rng.Start
	start.Column += 1 + col
	start.Byte += 1 + col
	end := start
	end.Column++
	end.Byte++
	if end.Byte > rng.End.Byte {
		return rng
	}
	return hcl.Range{Filename: rng.Filename, Start: start, End: end}
}

// narrowField widens the one-character subject at col to the field name
// that starts there (after its dot), when the source says so.
func narrowField(rng hcl.Range, src string, col int, field string) hcl.Range {
	at := narrow(rng, src, col)
	if col < 0 || col > len(src) || at == rng {
		return at
	}
	rest := src[col:]
	skip := 0
	if strings.HasPrefix(rest, ".") {
		skip = 1
	}
	if !strings.HasPrefix(rest[skip:], field) {
		return at
	}
	at.Start.Column += skip
	at.Start.Byte += skip
	at.End = at.Start
	at.End.Column += len(field)
	at.End.Byte += len(field)
	if at.End.Byte > rng.End.Byte {
		return narrow(rng, src, col)
	}
	return at
}
