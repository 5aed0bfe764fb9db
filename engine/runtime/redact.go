package runtime

import (
	"encoding/json"
	goruntime "runtime"
	"strings"
	"sync"
	"sync/atomic"
	"weak"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/lang"
	"github.com/cardflow/cardflow/engine/plan"
	"github.com/zclconf/go-cty/cty"
)

// Redacted replaces sensitive values wherever they would be shown.
const Redacted = "(sensitive)"

// minSecretLen is the shortest secret scrubbed by value: replacing every
// "1" or "yes" in a journal would destroy it and protect nothing.
const minSecretLen = 4

// secrets is what an execution must never write down. Marks say which
// values are sensitive while they are cty values; once a value has reached
// an action it comes back unmarked (an echoed header, a connector error
// that quotes a token), so every string that leaves the runtime is also
// scrubbed of the known secret strings: the values of sensitive variables
// and connection attributes, and whatever was passed to a sensitive
// argument or carried a sensitive mark in this execution.
type secrets struct {
	mu   sync.Mutex
	list atomic.Pointer[[]string]
}

func newSecrets(base []string) *secrets {
	s := &secrets{}
	if len(base) > 0 {
		s.list.Store(&base)
	}
	return s
}

// add records secret strings, copy on write so that scrubbing needs no lock.
func (s *secrets) add(vals ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var cur []string
	if p := s.list.Load(); p != nil {
		cur = *p
	}
	next := cur
	for _, v := range vals {
		if len(v) < minSecretLen || strings.Contains(v, Redacted) {
			continue
		}
		dup := false
		for _, c := range next {
			if c == v {
				dup = true
				break
			}
		}
		if !dup {
			next = append(next[:len(next):len(next)], v)
		}
	}
	if len(next) != len(cur) {
		s.list.Store(&next)
	}
}

// scrub replaces every known secret in str.
func (s *secrets) scrub(str string) string {
	p := s.list.Load()
	if p == nil {
		return str
	}
	for _, sec := range *p {
		if strings.Contains(str, sec) {
			str = strings.ReplaceAll(str, sec, Redacted)
		}
	}
	return str
}

// scrubErr is err with its message scrubbed; errors.Is and As still see
// the original chain.
func (s *secrets) scrubErr(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if clean := s.scrub(msg); clean != msg {
		return &scrubbedError{msg: clean, err: err}
	}
	return err
}

type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.err }

// input returns a JSON-ready copy of a card's input where every value
// carrying the sensitive mark, and every argument the schema marks
// sensitive, is Redacted. It first learns those values as secrets, so
// that an action echoing them is scrubbed too.
func (s *secrets) input(v cty.Value, schema connector.Schema) any {
	if v == cty.NilVal {
		return nil
	}
	var found []string
	collect := func(str string) { found = append(found, str) }
	if schema != nil && v.Type().IsObjectType() && v.IsKnown() && !v.IsNull() {
		out := make(map[string]any, len(schema))
		for name := range v.Type().AttributeTypes() {
			av := v.GetAttr(name)
			a, ok := schema.Lookup(name)
			sensitive := ok && a.Sensitive
			sensitiveStrings(av, sensitive, collect)
			if sensitive && !av.IsNull() {
				out[name] = Redacted
				continue
			}
			out[name] = nil // filled in below, once every secret is known
		}
		if len(found) > 0 {
			s.add(found...)
		}
		for name, val := range out {
			if val == nil {
				out[name] = s.value(v.GetAttr(name))
			}
		}
		return out
	}
	sensitiveStrings(v, false, collect)
	if len(found) > 0 {
		s.add(found...)
	}
	return s.value(v)
}

// value returns a JSON-ready copy of v with marked values Redacted and
// known secrets scrubbed from its strings.
func (s *secrets) value(v cty.Value) any {
	if v.HasMark(lang.Sensitive) {
		return Redacted
	}
	v, _ = v.Unmark()
	if v.IsNull() || !v.IsKnown() {
		return nil
	}
	ty := v.Type()
	switch {
	case ty == cty.String:
		return s.scrub(v.AsString())
	case ty.IsObjectType() || ty.IsMapType():
		out := make(map[string]any, v.LengthInt())
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			out[k.AsString()] = s.value(e)
		}
		return out
	case ty.IsListType() || ty.IsSetType() || ty.IsTupleType():
		out := make([]any, 0, v.LengthInt())
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			out = append(out, s.value(e))
		}
		return out
	}
	g, err := connector.ToGo(v)
	if err != nil {
		return nil
	}
	return g
}

// goValue scrubs the strings of a JSON-like Go value (a flow.return result).
func (s *secrets) goValue(v any) any {
	switch x := v.(type) {
	case string:
		return s.scrub(x)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = s.goValue(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = s.goValue(e)
		}
		return out
	}
	return v
}

// sensitiveStrings calls add with every string in v that is sensitive: all
// of them when sensitive is true, else those under a sensitive mark.
func sensitiveStrings(v cty.Value, sensitive bool, add func(string)) {
	if v.HasMark(lang.Sensitive) {
		sensitive = true
	} else if !sensitive && !v.ContainsMarked() {
		return
	}
	v, _ = v.Unmark()
	if v.IsNull() || !v.IsKnown() {
		return
	}
	ty := v.Type()
	switch {
	case ty == cty.String:
		if sensitive {
			add(v.AsString())
		}
	case ty.IsCollectionType() || ty.IsObjectType() || ty.IsTupleType():
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			sensitiveStrings(e, sensitive, add)
		}
	}
}

// genSecrets caches the secret strings of each generation (sensitive
// variables and connection attributes) without keeping the generation
// alive.
var genSecrets sync.Map // weak.Pointer[plan.Generation] -> []string

func generationSecrets(gen *plan.Generation) []string {
	if gen == nil {
		return nil
	}
	key := weak.Make(gen)
	if v, ok := genSecrets.Load(key); ok {
		return v.([]string)
	}
	var list []string
	add := func(s string) {
		if len(s) >= minSecretLen {
			list = append(list, s)
		}
	}
	if gen.Vars != cty.NilVal {
		sensitiveStrings(gen.Vars, false, add)
	}
	for _, name := range connector.SortedKeys(gen.Connections) {
		if c := gen.Connections[name]; c != nil && c.Config != cty.NilVal {
			sensitiveStrings(c.Config, false, add)
		}
	}
	if _, loaded := genSecrets.LoadOrStore(key, list); !loaded {
		goruntime.AddCleanup(gen, func(k weak.Pointer[plan.Generation]) { genSecrets.Delete(k) }, key)
	}
	return list
}

func marshal(x any) []byte {
	b, err := json.Marshal(x)
	if err != nil {
		b, _ = json.Marshal(map[string]string{"unencodable": err.Error()})
	}
	return b
}
