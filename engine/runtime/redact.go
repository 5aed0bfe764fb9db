package runtime

import (
	"encoding/json"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/lang"
	"github.com/cardflow/cardflow/internal/jsonw"
	"github.com/zclconf/go-cty/cty"
)

// Redacted replaces sensitive values wherever they would be shown.
const Redacted = lang.Redacted

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

// newSecrets returns the secrets of one execution, starting with base,
// which must be spelled out already (see withSpellings).
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
		if len(v) < lang.MinSecretLen || strings.Contains(v, Redacted) || slices.Contains(next, v) {
			continue
		}
		for _, sp := range spellings(v) {
			if !slices.Contains(next, sp) {
				next = append(next[:len(next):len(next)], sp)
			}
		}
	}
	if len(next) != len(cur) {
		sortLongestFirst(next)
		s.list.Store(&next)
	}
}

// scrub replaces every known secret, in each of its spellings, in str.
func (s *secrets) scrub(str string) string {
	p := s.list.Load()
	if p == nil || len(*p) == 0 || len(str) < len((*p)[len(*p)-1]) {
		// The list is longest first: str is shorter than every secret
		// (most of a record's values are empty or a word).
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

// inputJSON returns a card's input as JSON where every value carrying the
// sensitive mark, and every argument the schema marks sensitive, is
// Redacted. It first learns those values as secrets, so that an action
// echoing them is scrubbed too. order lists the arguments in name order,
// keys what precedes each (see cardInfo.inputKeys). It writes into dst's
// array when that is large enough.
//
// learn false says that nothing in the input is sensitive (no marks, no
// sensitive arguments), which spares looking for secrets to learn.
func (s *secrets) inputJSON(dst []byte, in input, schema connector.Schema, order []int, keys []string, learn bool) []byte {
	if learn {
		var found []string
		collect := func(str string) { found = append(found, str) }
		for i, a := range schema {
			lang.SensitiveStrings(in.vals[i], a.Sensitive, collect)
		}
		if len(found) > 0 {
			s.add(found...)
		}
	}
	b := dst[:0]
	if want := 128 + 32*len(order); cap(b) < want {
		b = make([]byte, 0, want)
	}
	if len(order) == 0 {
		return append(b, "{}"...)
	}
	for n, i := range order {
		b = append(b, keys[n]...)
		if v := in.vals[i]; schema[i].Sensitive && !v.IsNull() {
			b = jsonw.AppendString(b, Redacted)
		} else {
			b = s.appendJSON(b, v)
		}
	}
	return append(b, '}')
}

// json returns v as JSON with marked values Redacted and known secrets
// scrubbed from its strings.
func (s *secrets) json(v cty.Value) []byte {
	return s.appendJSON(make([]byte, 0, 128), v)
}

// appendObjectJSON appends the JSON of v, a value of an object type whose
// attribute names, in order, are names (it spares sorting them again), to b.
func (s *secrets) appendObjectJSON(b []byte, v cty.Value, names []string) []byte {
	if names == nil || v == cty.NilVal || v.IsMarked() || v.IsNull() || !v.IsKnown() || !v.Type().IsObjectType() ||
		len(names) != len(v.Type().AttributeTypes()) {
		return s.appendJSON(b, v)
	}
	atys := v.Type().AttributeTypes()
	for _, name := range names {
		if _, ok := atys[name]; !ok {
			return s.appendJSON(b, v)
		}
	}
	b = append(b, '{')
	for i, name := range names {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonw.AppendString(b, s.scrub(name))
		b = append(b, ':')
		b = s.appendJSON(b, v.GetAttr(name))
	}
	return append(b, '}')
}

// appendJSON appends v as encoding/json would encode connector.ToGo(v),
// with marked values Redacted and known secrets scrubbed from strings and
// keys. Null and unknown values are null.
func (s *secrets) appendJSON(b []byte, v cty.Value) []byte {
	if v == cty.NilVal {
		return append(b, "null"...)
	}
	if v.IsMarked() {
		if v.HasMark(lang.Sensitive) {
			return jsonw.AppendString(b, Redacted)
		}
		v, _ = v.Unmark()
	}
	if v.IsNull() || !v.IsKnown() {
		return append(b, "null"...)
	}
	ty := v.Type()
	switch {
	case ty == cty.String:
		return jsonw.AppendString(b, s.scrub(v.AsString()))
	case ty == cty.Bool:
		// v is a known, unmarked bool: compared as a Go value, since
		// True() and RawEquals() go through Equals, which is slow.
		return strconv.AppendBool(b, v == cty.True)
	case ty == cty.Number:
		return appendNumber(b, v)
	case ty.IsObjectType() || ty.IsMapType():
		b = append(b, '{')
		first := true
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			if !first {
				b = append(b, ',')
			}
			first = false
			b = jsonw.AppendString(b, s.scrub(k.AsString()))
			b = append(b, ':')
			b = s.appendJSON(b, e)
		}
		return append(b, '}')
	case ty.IsListType() || ty.IsSetType() || ty.IsTupleType():
		b = append(b, '[')
		first := true
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			if !first {
				b = append(b, ',')
			}
			first = false
			b = s.appendJSON(b, e)
		}
		return append(b, ']')
	}
	return append(b, "null"...)
}

// appendNumber writes a number as connector.ToGo does: integers in full,
// others in the shortest form; infinities, which JSON lacks, as null.
func appendNumber(b []byte, v cty.Value) []byte {
	bf := v.AsBigFloat()
	switch {
	case bf.IsInf():
		return append(b, "null"...)
	case bf.IsInt():
		if i, acc := bf.Int64(); acc == big.Exact {
			return strconv.AppendInt(b, i, 10)
		}
		i, _ := bf.Int(nil)
		return i.Append(b, 10)
	}
	return bf.Append(b, 'g', -1)
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

func marshal(x any) []byte {
	b, err := json.Marshal(x)
	if err != nil {
		b, _ = json.Marshal(map[string]string{"unencodable": err.Error()})
	}
	return b
}
