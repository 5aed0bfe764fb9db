package connector

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/internal/jsonscan"
)

// Bounds of what a pushed event may carry. An event that breaks one is
// refused before it is acknowledged: stored, it would fail its execution
// later (a flow reads target[0] of a string) or weigh on every read of it
// (a 10 kB dedup key in the unique index).
const (
	// MaxEventID bounds an event's id (its dedup key: Okta's uuid, an
	// Idempotency-Key), in bytes.
	MaxEventID = 256
	// MaxEventString bounds each string of a payload, in bytes.
	MaxEventString = 64 << 10
	// MaxEventDepth bounds the nesting of a payload's arrays and objects.
	MaxEventDepth = 64
)

// CheckEvent checks a pushed event of trigger t before it is
// acknowledged: its id and type are short valid UTF-8 without control
// characters, and its payload is a JSON object whose fields have the kinds
// of t.Output (a list a JSON array, an object a JSON object, a string a JSON
// string or scalar), whose strings are valid UTF-8 of at most
// MaxEventString bytes, and which has every field of t.Required
// non-null. Fields that the type does not name are checked for their
// UTF-8, size and depth only. The
// error is an *Error of kind Invalid with status 400 naming the field as
// flows see it: trigger.event.target.
func CheckEvent(ev *Event, t *Trigger) error {
	_, err := EventCheck{}.Check(ev, t)
	return err
}

func checkType(typ string) error {
	if len(typ) > MaxEventID || !utf8.ValidString(typ) {
		return invalidEvent("the event type is not %d bytes or fewer of UTF-8", MaxEventID)
	}
	return nil
}

// result is the check's outcome once the payload's value was read, ok
// reporting that it passed: nothing may follow it, and every required
// field must have been seen.
func (c *eventChecker) result(ok bool) error {
	if !ok || !c.s.AtEnd() {
		if c.problem == "" {
			c.problem = "trigger: the payload is not valid JSON"
		}
		return invalidEvent("%s", c.problem)
	}
	for _, path := range c.required {
		if !c.seen(path) {
			return invalidEvent("trigger.%s is missing; every event must have it", path)
		}
	}
	return nil
}

func checkID(id, field string) error {
	if field == "" {
		field = "the event id"
	}
	switch {
	case len(id) > MaxEventID:
		return invalidEvent("%s is %d bytes long; at most %d", field, len(id), MaxEventID)
	case !utf8.ValidString(id):
		return invalidEvent("%s is not valid UTF-8", field)
	case strings.ContainsFunc(id, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return invalidEvent("%s holds control characters", field)
	}
	return nil
}

func invalidEvent(format string, args ...any) *Error {
	return &Error{Kind: Invalid, Status: http.StatusBadRequest, Message: fmt.Sprintf(format, args...)}
}

// eventChecker walks a payload once, against a type. It keeps the path
// to the value it reads as a stack and spells it out only for an error or
// a required field, so that a valid event costs no allocation per field.
type eventChecker struct {
	s        jsonscan.Scanner
	required []string
	present  []string // the required paths found, non-null
	path     []pathElem
	problem  string
	strs     *StringMembers // string members read for the caller, if any
	// objects are the maps decodedObject gathers attributes in, by depth.
	objects []map[string]cty.Value
}

// checkers are eventCheckers between checks: the intake checks every event
// it takes in, and a checker's buffers serve the next one.
var checkers = sync.Pool{New: func() any { return &eventChecker{path: make([]pathElem, 0, 16)} }}

// newEventChecker returns a checker of payload, from checkers; the caller
// releases it when the check is done, and keeps nothing of it.
func newEventChecker(payload []byte, required []string, strs *StringMembers) *eventChecker {
	c := checkers.Get().(*eventChecker)
	c.s = jsonscan.New(payload)
	c.required = required
	c.strs = strs
	return c
}

// release puts c back in checkers, holding no reference to the payload or
// the caller's values.
func (c *eventChecker) release() {
	clear(c.path[:cap(c.path)])
	clear(c.present[:cap(c.present)])
	*c = eventChecker{path: c.path[:0], present: c.present[:0], objects: c.objects}
	checkers.Put(c)
}

// pathElem is a member name or, when key is nil, an index.
type pathElem struct {
	key   []byte
	index int
}

func (c *eventChecker) seen(path string) bool {
	for _, p := range c.present {
		if p == path {
			return true
		}
	}
	return false
}

// field spells out the path: trigger.event.target[0].
func (c *eventChecker) field() string {
	var b strings.Builder
	b.WriteString("trigger")
	for _, e := range c.path {
		if e.key == nil {
			b.WriteString("[" + strconv.Itoa(e.index) + "]")
		} else {
			b.WriteByte('.')
			b.Write(e.key)
		}
	}
	return b.String()
}

// fail records the first problem, at the current path, and returns false.
func (c *eventChecker) fail(format string, args ...any) bool {
	if c.problem == "" {
		c.problem = c.field() + " " + fmt.Sprintf(format, args...)
	}
	return false
}

// value reads the value at the current path and checks it against ty;
// cty.NilType checks only its strings and depth.
func (c *eventChecker) value(ty cty.Type) bool {
	if len(c.path) > MaxEventDepth {
		return c.fail("is nested deeper than %d levels", MaxEventDepth)
	}
	if ty == cty.DynamicPseudoType {
		ty = cty.NilType
	}
	switch ch := c.s.Peek(); {
	case ch == 'n':
		return c.s.Literal("null") || c.fail("is not valid JSON")
	case ch == '{':
		return c.object(ty)
	case ch == '[':
		return c.array(ty)
	case ty != cty.NilType && (ty.IsObjectType() || ty.IsMapType()):
		return c.fail("must be an object, not %s", kindOf(ch))
	case ty != cty.NilType && (ty.IsListType() || ty.IsSetType() || ty.IsTupleType()):
		return c.fail("must be a list, not %s", kindOf(ch))
	case ch == '"':
		return c.str()
	case ch == 't':
		return c.s.Literal("true") || c.fail("is not valid JSON")
	case ch == 'f':
		return c.s.Literal("false") || c.fail("is not valid JSON")
	}
	_, ok := c.s.Number()
	return ok || c.fail("is not valid JSON")
}

// str reads a string. It checks the text as it is in the payload, not
// unquoted: unquoting replaces invalid UTF-8 with U+FFFD, which would hide
// it here and change the text a flow sees. Escapes count at their length
// in the text.
func (c *eventChecker) str() bool {
	start, end, _, ok := c.s.ScanString()
	switch raw := c.s.Data()[start:end]; {
	case !ok:
		return c.fail("is not a valid JSON string")
	case len(raw) > MaxEventString:
		return c.fail("is %d bytes long; at most %d", len(raw), MaxEventString)
	case !utf8.Valid(raw):
		return c.fail("is not valid UTF-8")
	}
	return true
}

func (c *eventChecker) object(ty cty.Type) bool {
	return c.members(ty, c.value)
}

// members reads an object at the current path, of type ty, with each at
// every member's value, given the type the value must have there.
func (c *eventChecker) members(ty cty.Type, each func(elem cty.Type) bool) bool {
	if ty != cty.NilType && !ty.IsObjectType() && !ty.IsMapType() {
		if ty.IsListType() || ty.IsSetType() || ty.IsTupleType() {
			return c.fail("must be a list, not an object")
		}
		return c.fail("must be a %s, not an object", ty.FriendlyName())
	}
	ok := c.s.Object(func(key []byte, _ int) bool {
		if len(key) > MaxEventID || !utf8.Valid(key) {
			return c.fail("has a member name that is not %d bytes or fewer of UTF-8", MaxEventID)
		}
		elem := cty.NilType
		switch {
		case ty == cty.NilType:
		case ty.IsMapType():
			elem = ty.ElementType()
		default:
			if t, ok := ty.AttributeTypes()[string(key)]; ok { // string(key) as a map key does not allocate
				elem = t
			}
		}
		c.path = append(c.path, pathElem{key: key})
		if len(c.path) <= maxRequiredDepth && c.s.Peek() != 'n' {
			c.note()
		}
		if c.strs != nil && len(c.path) <= c.strs.Depth+1 && c.strs.Keys(key) && c.s.Peek() == '"' {
			c.readString(key)
		}
		if !each(elem) {
			return false
		}
		c.path = c.path[:len(c.path)-1]
		return true
	})
	return ok || c.fail("is not a valid JSON object")
}

func (c *eventChecker) array(ty cty.Type) bool {
	return c.elements(ty, c.value)
}

// elements reads an array at the current path, of type ty, with each at
// every element, given the type the element must have.
func (c *eventChecker) elements(ty cty.Type, each func(elem cty.Type) bool) bool {
	elem := cty.NilType
	if ty != cty.NilType {
		switch {
		case ty.IsListType() || ty.IsSetType():
			elem = ty.ElementType()
		case ty.IsTupleType():
		case ty.IsObjectType() || ty.IsMapType():
			return c.fail("must be an object, not a list")
		default:
			return c.fail("must be a %s, not a list", ty.FriendlyName())
		}
	}
	ok := c.s.Array(func(i int) bool {
		c.path = append(c.path, pathElem{index: i})
		if !each(elem) {
			return false
		}
		c.path = c.path[:len(c.path)-1]
		return true
	})
	return ok || c.fail("is not a valid JSON array")
}

// readString gives the string at the current position, unquoted, to
// c.strs, and leaves the scanner where it was: the check reads the string
// next, in its raw form.
func (c *eventChecker) readString(key []byte) {
	at := c.s
	if v, _, ok := at.StringBytes(); ok {
		c.strs.Each(key, v)
	}
}

// maxRequiredDepth is how deep a required path may go (event.target).
const maxRequiredDepth = 3

// note records the current, non-null field when it is a required path.
func (c *eventChecker) note() {
	for _, r := range c.required {
		if c.at(r) {
			c.present = append(c.present, r)
		}
	}
}

// at reports whether the current path is the dotted path of member names p.
func (c *eventChecker) at(p string) bool {
	// Most members are not required ones: the current member's name must
	// end p (or p without a trailing dot) for the walk below to match.
	if n := len(c.path); n > 0 {
		last, q := c.path[n-1].key, strings.TrimSuffix(p, ".")
		if last == nil || len(last) > len(q) || string(last) != q[len(q)-len(last):] {
			return false
		}
	}
	for i, e := range c.path {
		if e.key == nil {
			return false
		}
		name, rest, _ := strings.Cut(p, ".")
		if name != string(e.key) || (rest == "") != (i == len(c.path)-1) {
			return false
		}
		p = rest
	}
	return true
}

func kindOf(ch byte) string {
	switch ch {
	case '"':
		return "a string"
	case 't', 'f':
		return "a bool"
	}
	return "a number"
}
