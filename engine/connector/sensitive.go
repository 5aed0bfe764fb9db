package connector

import (
	"errors"
	"fmt"
	"strings"
)

// SensitiveField is a part of a trigger's events that a flow declares
// sensitive (Trigger.Sensitive): a password an Okta password import hook
// posts. The engine gives its value to the execution's first run, marked
// sensitive, and never stores it: the stored event holds a placeholder
// there.
type SensitiveField struct {
	// Name is the field as the flow author wrote it
	// ("data.context.credential.password"): errors name it so.
	Name string
	// Path is the field's path in the trigger value: member names, from
	// the value's root ("body", "data", "context", "credential",
	// "password"). A path through a list applies to every element.
	Path []string
}

// ItemError is an error of Attribute.Check about one element of a list or
// one key of a map, named by Key as Finding.Key names one: the diagnostic
// points at it when the block spells it out. A Check may return several
// joined with errors.Join; each becomes a diagnostic of its own.
type ItemError struct {
	Key string
	// Index, when not 0, is the position of the list element, counted
	// from 1: it tells apart elements that spell the same Key.
	Index int
	Err   error
}

func (e *ItemError) Error() string { return e.Err.Error() }
func (e *ItemError) Unwrap() error { return e.Err }

// ParseFieldPath parses a dot-separated path of member names
// ("data.context.credential.password") into its names. Members are
// addressed by name only: a path through a list applies to every element,
// so a path has no index ("users.password", not "users[0].password"). A
// member whose name holds a dot cannot be addressed.
func ParseFieldPath(s string) ([]string, error) {
	switch {
	case s == "":
		return nil, errors.New(`a path is member names separated by dots, such as "data.context.credential.password", not ""`)
	case strings.ContainsAny(s, "[]*"):
		return nil, fmt.Errorf("%q has an index or a wildcard: a path names members only, and a path through a list applies to every element "+
			"(\"data.users.password\" for the password of every user)", s)
	case strings.ContainsAny(s, " \t\r\n\"'"):
		return nil, fmt.Errorf("%q has a space or a quote: a path is member names separated by dots, such as \"data.context.credential.password\"", s)
	}
	names := strings.Split(s, ".")
	for _, n := range names {
		if n == "" {
			return nil, fmt.Errorf("%q has an empty member name: a path is member names separated by single dots, without a dot at either end", s)
		}
	}
	return names, nil
}
