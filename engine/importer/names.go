package importer

import (
	"strconv"
	"strings"
	"unicode"
)

// snake turns a title into a snake_case HCL identifier: "Read User" →
// read_user, "2 - Audit" → f_2_audit. It is never empty.
func snake(title string) string {
	var b strings.Builder
	lastUnderscore := true
	prevLower := false
	for _, r := range title {
		switch {
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if unicode.IsUpper(r) && prevLower && !lastUnderscore {
				b.WriteByte('_')
			}
			b.WriteRune(unicode.ToLower(r))
			lastUnderscore = false
			prevLower = unicode.IsLower(r) || unicode.IsDigit(r)
		default:
			if !lastUnderscore {
				b.WriteByte('_')
				lastUnderscore = true
			}
			prevLower = false
		}
	}
	s := strings.Trim(b.String(), "_")
	if s == "" {
		return "card"
	}
	if s[0] >= '0' && s[0] <= '9' {
		s = "n" + s
	}
	return s
}

// namer hands out unique names.
type namer map[string]bool

func (n namer) unique(base string) string {
	name := base
	for i := 2; n[name]; i++ {
		name = base + "_" + strconv.Itoa(i)
	}
	n[name] = true
	return name
}

// isIdent reports whether s is a valid HCL identifier, so it can follow a
// dot in a traversal.
func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_' || (r < unicode.MaxASCII && unicode.IsLetter(r)):
		case i > 0 && (r == '-' || (r < unicode.MaxASCII && unicode.IsDigit(r))):
		default:
			return false
		}
	}
	return true
}

// attrPath appends key to expr as .key or ["key"].
func attrPath(expr, key string) string {
	if strings.HasPrefix(expr, "{") {
		// An attribute of an object written out is its value.
		if fields, ok := objectFields(expr); ok && fields[key] != "" {
			return fields[key]
		}
	}
	if isIdent(key) && !strings.Contains(key, "-") {
		return expr + "." + key
	}
	return expr + "[" + strconv.Quote(key) + "]"
}

// pathExpr appends a dotted path of Okta Workflows ("0.type",
// "profile.login") to expr: numbers index lists.
func pathExpr(expr, path string) string {
	for _, p := range strings.Split(path, ".") {
		if _, err := strconv.Atoi(p); err == nil && p != "" {
			expr += "[" + p + "]"
			continue
		}
		expr = attrPath(expr, p)
	}
	return expr
}
