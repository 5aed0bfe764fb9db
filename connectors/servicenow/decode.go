package servicenow

import (
	"encoding/json"
	"unicode/utf8"
)

// decodeRecord reads a {"result": {...}} answer as the record's values
// (flatten with "value"). The Table API writes a record with
// sysparm_exclude_reference_link=true as one object of strings; that shape
// is read here directly into strings, without encoding/json's reflection,
// the map of interfaces and the flatten after it (decoding a full incident
// was most of what create_record cost the engine). Anything else (a
// reference object, a number, another key beside result, trailing data)
// goes through decodeJSON and flatten as before, so every answer decodes
// to what it did. ok is false when there is no result object.
func decodeRecord(b []byte) (rec map[string]string, ok bool, err error) {
	if rec, ok := decodeStringResult(b); ok {
		return rec, true, nil
	}
	var env struct {
		Result map[string]any `json:"result"`
	}
	if err := decodeJSON(b, &env); err != nil || env.Result == nil {
		return nil, false, err
	}
	return flatten(env.Result, "value"), true, nil
}

// decodeStringResult decodes exactly `{"result":{"k":"v",...}}` (JSON
// whitespace allowed) with string values only; ok is false for anything
// else, which the caller hands to encoding/json.
func decodeStringResult(b []byte) (map[string]string, bool) {
	d := flatDecoder{b: b}
	if !d.consume('{') || !d.literal(`"result"`) || !d.consume(':') || !d.consume('{') {
		return nil, false
	}
	rec := make(map[string]string, 96) // an incident has about 85 fields
	if !d.consume('}') {
		for {
			k, ok := d.str()
			if !ok || !d.consume(':') {
				return nil, false
			}
			v, ok := d.str()
			if !ok {
				return nil, false
			}
			rec[k] = v
			if d.consume(',') {
				continue
			}
			if d.consume('}') {
				break
			}
			return nil, false
		}
	}
	if !d.consume('}') {
		return nil, false
	}
	d.space()
	return rec, d.i == len(d.b)
}

// flatDecoder reads the tokens of a flat JSON object.
type flatDecoder struct {
	b []byte
	i int
}

func (d *flatDecoder) space() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// consume skips whitespace and then c, reporting whether c was there.
func (d *flatDecoder) consume(c byte) bool {
	d.space()
	if d.i < len(d.b) && d.b[d.i] == c {
		d.i++
		return true
	}
	return false
}

// literal skips whitespace and then the bytes of s.
func (d *flatDecoder) literal(s string) bool {
	d.space()
	if len(d.b)-d.i >= len(s) && string(d.b[d.i:d.i+len(s)]) == s {
		d.i += len(s)
		return true
	}
	return false
}

// str reads a JSON string. Strings with escapes are unquoted by
// encoding/json itself, so that \u escapes, surrogates and invalid UTF-8
// come out as they always did; ok is false for anything but a valid
// string.
func (d *flatDecoder) str() (string, bool) {
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
			raw := d.b[start+1 : j]
			if !plain {
				var s string
				if json.Unmarshal(d.b[start:j+1], &s) != nil {
					return "", false
				}
				return s, true
			}
			if !ascii && !utf8.Valid(raw) {
				return "", false // encoding/json would replace the bad bytes
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
