package emulator

import (
	"errors"
	"strings"
)

// ErrNotFound is returned by Update and Delete for a sys_id that does not exist.
var ErrNotFound = errors.New("emulator: no record found")

// InvalidTableError is returned for a table the instance does not have.
type InvalidTableError struct{ Table string }

func (e *InvalidTableError) Error() string { return "Invalid table " + e.Table }

// PolicyError is a data policy violation: a write that would leave an
// incident Resolved or Closed without its resolution fields. Over HTTP it is
// a 403 whose detail is Error().
type PolicyError struct {
	// Fields are the labels of the missing mandatory fields, e.g.
	// "Resolution code", "Resolution notes".
	Fields []string
}

func (e *PolicyError) Error() string {
	return "Data Policy Exception: \n\tThe following fields are mandatory: " + strings.Join(e.Fields, ", ")
}

// apiError is an HTTP failure with the platform's envelope; an empty detail
// is written as null.
type apiError struct {
	status          int
	message, detail string
}

func (e *apiError) Error() string { return e.message + ": " + e.detail }
