package flatjson

import "github.com/cardflow/cardflow/internal/jsonscan"

// Object decodes b when it is exactly one JSON object of strings
// (whitespace around tokens allowed); ok is false otherwise.
func Object(b []byte) (map[string]string, bool) {
	s := jsonscan.New(b)
	m, ok := object(&s)
	return m, ok && s.AtEnd()
}

// Member decodes b when it is exactly {"<name>": <object of strings>},
// such as the Table API's {"result": {...}}; ok is false otherwise. name
// is matched byte for byte: a differently written key is refused (where
// encoding/json would match a struct field case-insensitively, or unquote
// an escaped one).
func Member(b []byte, name string) (map[string]string, bool) {
	s := jsonscan.New(b)
	var m map[string]string
	ok := s.Object(func(key []byte, at int) bool {
		if m != nil || at < 0 || string(key) != name {
			return false // another member, or the key written otherwise
		}
		var ok bool
		m, ok = object(&s)
		return ok
	})
	return m, ok && m != nil && s.AtEnd()
}

// object reads {"k": "v", ...}.
func object(s *jsonscan.Scanner) (map[string]string, bool) {
	if s.Peek() != '{' {
		return nil, false
	}
	// Room for the members the rest of the input can hold at about 20
	// bytes each ("sys_mod_count":"0", "parent":""): growing a map as an
	// incident's 85 fields arrive costs a rehash per doubling.
	m := make(map[string]string, min((len(s.Data())-s.Pos())/20, 256))
	ok := s.Object(func(key []byte, _ int) bool {
		if s.Peek() != '"' {
			return false
		}
		v, _, ok := s.StringBytes()
		m[string(key)] = string(v) // a repeated key: the last wins, as in encoding/json
		return ok
	})
	return m, ok
}
