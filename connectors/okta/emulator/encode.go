package emulator

import (
	"encoding/json"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/cardflow/cardflow/internal/jsonw"
)

// A user is written here byte for byte as encoding/json writes the User
// that userRec.export returns, without building that User and its maps:
// reflection and a sorted key walk per map were most of what a GET of a
// user cost. TestUserEncodingMatchesEncodingJSON holds the two to the same
// bytes.

// appendUserLocked appends u as the API returns it, with _links under
// base. It fails only where encoding/json would (a profile value that
// cannot be JSON, a time outside RFC 3339).
func appendUserLocked(dst []byte, u *userRec, base string) ([]byte, error) {
	var err error
	dst = append(dst, `{"id":`...)
	dst = jsonw.AppendString(dst, u.id)
	dst = append(dst, `,"status":`...)
	dst = jsonw.AppendString(dst, u.status)
	for _, f := range []struct {
		key string
		t   *time.Time
	}{
		{`,"created":`, &u.created}, {`,"activated":`, u.activated}, {`,"statusChanged":`, u.statusChanged},
		{`,"lastLogin":`, nil}, {`,"lastUpdated":`, &u.lastUpdated}, {`,"passwordChanged":`, u.passwordChanged},
	} {
		dst = append(dst, f.key...)
		if dst, err = appendTime(dst, f.t); err != nil {
			return nil, err
		}
	}
	dst = append(dst, `,"type":{"id":`...)
	dst = jsonw.AppendString(dst, defaultUserType)
	dst = append(dst, `},"profile":`...)
	if dst, err = appendJSONValue(dst, u.profile); err != nil {
		return nil, err
	}
	dst = append(dst, `,"credentials":{`...)
	if u.passwordChanged != nil {
		dst = append(dst, `"password":{},`...)
	}
	dst = append(dst, `"provider":{"name":"OKTA","type":"OKTA"}},"_links":{"self":{"href":`...)
	dst = jsonw.AppendString(dst, base+"/api/v1/users/"+u.id)
	dst = append(dst, `},"type":{"href":`...)
	dst = jsonw.AppendString(dst, base+"/api/v1/meta/types/user/"+defaultUserType)
	return append(dst, "}}}"...), nil
}

// appendTime appends t as time.Time's MarshalJSON does, or null.
func appendTime(dst []byte, t *time.Time) ([]byte, error) {
	if t == nil {
		return append(dst, "null"...), nil
	}
	dst = append(dst, '"')
	dst, err := t.AppendText(dst) // RFC 3339 with nanoseconds, as MarshalJSON
	if err != nil {
		return nil, err
	}
	return append(dst, '"'), nil
}

// appendJSONValue appends v as encoding/json does: strings, booleans and
// objects here, anything else (numbers, arrays) through json.Marshal.
func appendJSONValue(dst []byte, v any) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return append(dst, "null"...), nil
	case string:
		return jsonw.AppendString(dst, v), nil
	case bool:
		if v {
			return append(dst, "true"...), nil
		}
		return append(dst, "false"...), nil
	case map[string]any:
		if v == nil {
			return append(dst, "null"...), nil
		}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		dst = append(dst, '{')
		for i, k := range keys {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = jsonw.AppendString(dst, k)
			dst = append(dst, ':')
			var err error
			if dst, err = appendJSONValue(dst, v[k]); err != nil {
				return nil, err
			}
		}
		return append(dst, '}'), nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append(dst, b...), nil
}

// bodies recycles response bodies once they are written.
var bodies = sync.Pool{New: func() any { return new([]byte) }}

func newBody() []byte { return (*bodies.Get().(*[]byte))[:0] }

// writeBody writes a JSON body and a newline, as writeJSON's encoder
// does, and recycles it.
func writeBody(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	body = append(body, '\n')
	_, _ = w.Write(body) // an error means the client went away
	if cap(body) <= 64<<10 {
		bodies.Put(&body)
	}
}

// userBodyLocked is u as a response body; when it cannot be written
// directly (see appendUserLocked) it is the exported User for writeJSON.
func userBodyLocked(u *userRec, base string) ([]byte, *User) {
	b, err := appendUserLocked(newBody(), u, base)
	if err != nil {
		out := u.export(base)
		return nil, &out
	}
	return b, nil
}
