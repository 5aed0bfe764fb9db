package emulator

import (
	"encoding/json"
	"slices"
	"sync"
)

// bodies recycles answer bodies: a written body is given back, so that a
// busy org does not make the collector mark its users for every answer's
// buffer.
var bodies = sync.Pool{New: func() any { return new([]byte) }}

// newBody returns an empty buffer for an answer.
func newBody() []byte {
	b := *bodies.Get().(*[]byte)
	if cap(b) == 0 {
		b = make([]byte, 0, 1024)
	}
	return b[:0]
}

// recycleBody gives a written body back; a large one (a page of many
// users) is left to the collector.
func recycleBody(b []byte) {
	if cap(b) <= 64<<10 {
		bodies.Put(&b)
	}
}

// appendUserJSON appends u as encoding/json writes it, byte for byte, with
// the newline json.Encoder adds. Reading a user is most of what a flow asks
// of the org, and encoding a User by reflection (its profile, type,
// credentials and _links maps) was most of the cost of answering; every
// value it does not know (a number or a list in a profile) still goes
// through encoding/json. ok is false when encoding/json would fail (a time
// outside years 0-9999): the caller then takes the slow path, which fails
// as it always did.
func appendUserJSON(dst []byte, u *User) (_ []byte, ok bool) {
	return appendUserParts(dst, u, nil)
}

// appendJSON appends u.export(base) as appendUserJSON would, without
// building the export's maps and profile copy; the caller holds e.mu, as
// the profile is not copied.
func (u *userRec) appendJSON(dst []byte, base string) ([]byte, bool) {
	x := User{ID: u.id, Status: u.status, Created: oktaTime(u.created), Activated: oktaTimePtr(u.activated),
		StatusChanged: oktaTimePtr(u.statusChanged), LastUpdated: oktaTime(u.lastUpdated),
		PasswordChanged: oktaTimePtr(u.passwordChanged), Profile: u.profile}
	return appendUserParts(dst, &x, func(dst []byte) []byte {
		// export's credentials and _links, in encoding/json's key order.
		dst = append(dst, `,"credentials":{`...)
		if u.passwordChanged != nil {
			dst = append(dst, `"password":{},`...)
		}
		dst = append(dst, `"provider":{"name":"OKTA","type":"OKTA"}},"_links":{"self":{"href":`...)
		dst = appendJSONString(dst, base+"/api/v1/users/"+u.id)
		dst = append(dst, `},"type":{"href":`...)
		dst = appendJSONString(dst, base+"/api/v1/meta/types/user/"+defaultUserType)
		return append(dst, "}}"...)
	})
}

// appendUserParts writes u; rest, if not nil, writes what follows the
// profile instead of u's credentials and _links maps, and the type is
// export's.
func appendUserParts(dst []byte, u *User, rest func([]byte) []byte) (_ []byte, ok bool) {
	dst = append(dst, `{"id":`...)
	dst = appendJSONString(dst, u.ID)
	dst = append(dst, `,"status":`...)
	dst = appendJSONString(dst, u.Status)
	for _, t := range []struct {
		key string
		t   *Time
	}{
		{`,"created":`, &u.Created}, {`,"activated":`, u.Activated}, {`,"statusChanged":`, u.StatusChanged},
		{`,"lastLogin":`, u.LastLogin}, {`,"lastUpdated":`, &u.LastUpdated}, {`,"passwordChanged":`, u.PasswordChanged},
	} {
		dst = append(dst, t.key...)
		if t.t == nil {
			dst = append(dst, "null"...)
			continue
		}
		// MarshalJSON's bytes, without its buffer.
		var err error
		if dst, err = t.t.appendJSON(dst); err != nil {
			return dst, false
		}
	}
	if rest != nil {
		dst = append(dst, `,"type":{"id":"`+defaultUserType+`"},"profile":`...)
		if dst, ok = appendJSONValue(dst, u.Profile); !ok {
			return dst, false
		}
		return append(rest(dst), "}\n"...), true
	}
	for _, m := range []struct {
		key string
		m   map[string]any
	}{
		{`,"type":`, u.Type}, {`,"profile":`, u.Profile}, {`,"credentials":`, u.Credentials}, {`,"_links":`, u.Links},
	} {
		dst = append(dst, m.key...)
		if dst, ok = appendJSONValue(dst, m.m); !ok {
			return dst, false
		}
	}
	return append(dst, "}\n"...), true
}

// appendJSONValue appends v as encoding/json writes it: strings, nil,
// booleans and maps of those here, anything else through json.Marshal.
func appendJSONValue(dst []byte, v any) ([]byte, bool) {
	switch v := v.(type) {
	case nil:
		return append(dst, "null"...), true
	case string:
		return appendJSONString(dst, v), true
	case bool:
		if v {
			return append(dst, "true"...), true
		}
		return append(dst, "false"...), true
	case map[string]any:
		if v == nil {
			return append(dst, "null"...), true
		}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys) // encoding/json sorts map keys so
		dst = append(dst, '{')
		for i, k := range keys {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSONString(dst, k)
			dst = append(dst, ':')
			var ok bool
			if dst, ok = appendJSONValue(dst, v[k]); !ok {
				return dst, false
			}
		}
		return append(dst, '}'), true
	}
	b, err := json.Marshal(v)
	if err != nil {
		return dst, false
	}
	return append(dst, b...), true
}

// appendJSONString appends s quoted. A string of printable ASCII that
// needs no escape (no quote, backslash or the <, > and & that encoding/json
// escapes for HTML) is copied; any other goes through json.Marshal, so the
// escapes are encoding/json's own.
func appendJSONString(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			b, _ := json.Marshal(s) // a string always encodes
			return append(dst, b...)
		}
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"')
}

// fastJSON encodes the users and pages of users that most answers carry
// without reflection (appendUserJSON); ok is false for any other value.
func fastJSON(v any) (_ []byte, ok bool) {
	switch v := v.(type) {
	case User:
		return appendUserJSON(newBody(), &v)
	case []User:
		if v == nil {
			return nil, false
		}
		dst := append(slices.Grow(newBody(), 1024*len(v)+2), '[')
		for i := range v {
			if i > 0 {
				dst = append(dst, ',')
			}
			if dst, ok = appendUserJSON(dst, &v[i]); !ok {
				return nil, false
			}
			dst = dst[:len(dst)-1] // the newline ends the whole answer only
		}
		return append(dst, "]\n"...), true
	}
	return nil, false
}
