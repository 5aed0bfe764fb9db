package query

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// DateTimeLayout is the Table API's date-time format: UTC, second precision.
const DateTimeLayout = "2006-01-02 15:04:05"

var dateGenerateRE = regexp.MustCompile(`^javascript:\s*gs\.dateGenerate\(\s*['"](\d{4}-\d{2}-\d{2})['"]\s*,\s*['"]([^'"]*)['"]\s*\)\s*;?\s*$`)

// IsJavaScript reports whether v is a `javascript:` value, which the
// platform evaluates on the server.
func IsJavaScript(v string) bool { return strings.HasPrefix(v, "javascript:") }

// ResolveValue returns v unchanged unless it is a javascript: value. The only
// script it understands is gs.dateGenerate('YYYY-MM-DD','HH:MM:SS') (the time
// may also be 'start' or 'end'), which the platform reads in the calling
// user's time zone loc (nil means UTC) and which ResolveValue returns as a
// UTC literal in DateTimeLayout. Any other script is an error.
func ResolveValue(v string, loc *time.Location) (string, error) {
	if !IsJavaScript(v) {
		return v, nil
	}
	m := dateGenerateRE.FindStringSubmatch(v)
	if m == nil {
		return "", fmt.Errorf("unsupported javascript value %q: only gs.dateGenerate('date','time') can be evaluated", v)
	}
	clock := m[2]
	switch clock {
	case "start":
		clock = "00:00:00"
	case "end":
		clock = "23:59:59"
	}
	if loc == nil {
		loc = time.UTC
	}
	t, err := time.ParseInLocation(DateTimeLayout, m[1]+" "+clock, loc)
	if err != nil {
		return "", fmt.Errorf("gs.dateGenerate: %w", err)
	}
	return t.UTC().Format(DateTimeLayout), nil
}

// Resolve returns a copy of q with every javascript: value (including both
// halves of a BETWEEN) replaced by ResolveValue's result.
func (q *Query) Resolve(loc *time.Location) (*Query, error) {
	out := q.Clone()
	if out == nil {
		return nil, nil
	}
	for gi := range out.Groups {
		for ti := range out.Groups[gi].Terms {
			conds := out.Groups[gi].Terms[ti].Conds
			for ci := range conds {
				v, err := resolveCondValue(conds[ci], loc)
				if err != nil {
					return nil, err
				}
				conds[ci].Value = v
			}
		}
	}
	return out, nil
}

func resolveCondValue(c Cond, loc *time.Location) (string, error) {
	if c.Op != OpBetween {
		return ResolveValue(c.Value, loc)
	}
	lo, hi, _ := strings.Cut(c.Value, "@")
	lo, err := ResolveValue(lo, loc)
	if err != nil {
		return "", err
	}
	hi, err = ResolveValue(hi, loc)
	if err != nil {
		return "", err
	}
	return lo + "@" + hi, nil
}
