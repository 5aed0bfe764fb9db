package flatjson

import (
	"encoding/json"
	"unicode/utf8"
)

// Object decodes b when it is exactly one JSON object of strings
// (whitespace around tokens allowed); ok is false otherwise.
func Object(b []byte) (map[string]string, bool) {
	d := decoder{b: b}
	m, ok := d.object()
	return m, ok && d.end()
}

// Member decodes b when it is exactly {"<name>": <object of strings>},
// such as the Table API's {"result": {...}}; ok is false otherwise. name
// is matched byte for byte: a differently written key is refused (where
// encoding/json would match a struct field case-insensitively).
func Member(b []byte, name string) (map[string]string, bool) {
	d := decoder{b: b}
	if !d.consume('{') || !d.key(name) || !d.consume(':') {
		return nil, false
	}
	m, ok := d.object()
	return m, ok && d.consume('}') && d.end()
}

type decoder struct {
	b []byte
	i int
}

// object reads {"k": "v", ...}.
func (d *decoder) object() (map[string]string, bool) {
	if !d.consume('{') {
		return nil, false
	}
	// Room for the members the rest of the input can hold at about 20
	// bytes each ("sys_mod_count":"0", "parent":""): growing a map as an
	// incident's 85 fields arrive costs a rehash per doubling.
	m := make(map[string]string, min((len(d.b)-d.i)/20, 256))
	if d.consume('}') {
		return m, true
	}
	for {
		k, ok := d.str()
		if !ok || !d.consume(':') {
			return nil, false
		}
		v, ok := d.str()
		if !ok {
			return nil, false
		}
		m[k] = v // a repeated key: the last wins, as in encoding/json
		if d.consume(',') {
			continue
		}
		return m, d.consume('}')
	}
}

func (d *decoder) space() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// end reports whether only whitespace is left.
func (d *decoder) end() bool {
	d.space()
	return d.i == len(d.b)
}

// consume skips whitespace and then c, reporting whether c was there.
func (d *decoder) consume(c byte) bool {
	d.space()
	if d.i < len(d.b) && d.b[d.i] == c {
		d.i++
		return true
	}
	return false
}

// key skips whitespace and then the string token "name", unescaped.
func (d *decoder) key(name string) bool {
	d.space()
	n := len(name) + 2
	if len(d.b)-d.i >= n && d.b[d.i] == '"' && string(d.b[d.i+1:d.i+n-1]) == name && d.b[d.i+n-1] == '"' {
		d.i += n
		return true
	}
	return false
}

// str reads a JSON string. A string with escapes is unquoted by
// encoding/json itself, so that \u escapes, surrogates and invalid UTF-8
// come out as they always did; ok is false for anything but a valid
// string, and for raw invalid UTF-8 (which encoding/json would replace).
func (d *decoder) str() (string, bool) {
	d.space()
	if d.i >= len(d.b) || d.b[d.i] != '"' {
		return "", false
	}
	start := d.i
	plain, ascii := true, true
	for j := start + 1; j < len(d.b); j++ {
		switch c := d.b[j]; {
		case c == '"':
			d.i = j + 1
			if !plain {
				var s string
				if json.Unmarshal(d.b[start:j+1], &s) != nil {
					return "", false
				}
				return s, true
			}
			raw := d.b[start+1 : j]
			if !ascii && !utf8.Valid(raw) {
				return "", false
			}
			return string(raw), true
		case c == '\\':
			plain = false
			j++ // the escaped character, even a quote
		case c < 0x20:
			return "", false // not valid JSON
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return "", false
}
