package servicenow

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// encodeBody writes the fields of a write byte for byte as encoding/json
// does: the instance sees the body it saw before.
func FuzzEncodeBody(f *testing.F) {
	f.Add("short_description", "New hire <a&b> \"quoted\" \\ \n\t\u2028", "correlation_id", "00u1")
	f.Add("", "", "z", "\xff\xfe invalid")
	f.Add("k", "v", "k2", "\x00\x1f")
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2 string) {
		for _, m := range []map[string]string{{}, {k1: v1}, {k1: v1, k2: v2}, {k2: v2, k1: v1, "description": v1 + v2}} {
			want, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			got, err := encodeBody(m)
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("encodeBody(%q) = %s, %v; encoding/json writes %s", m, got, err, want)
			}
		}
	})
}

// A body that is not a map of strings, or a nil one, is encoding/json's.
func TestEncodeBodyOtherValues(t *testing.T) {
	for _, body := range []any{map[string]string(nil), map[string]any{"a": 1, "b": []string{"x"}}, []int{1}} {
		want, _ := json.Marshal(body)
		got, err := encodeBody(body)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("encodeBody(%#v) = %s, %v; want %s", body, got, err, want)
		}
	}
}

// readBody reads what io.ReadAll read: with and without a Content-Length,
// and reports a body cut short.
func TestReadBody(t *testing.T) {
	long := strings.Repeat(`{"result":{"a":"b"}}`, 500)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/length":
			w.Header().Set("Content-Length", "10000")
			_, _ = w.Write([]byte(long))
		case "/chunked":
			_, _ = w.Write([]byte(long[:4000]))
			w.(http.Flusher).Flush()
			_, _ = w.Write([]byte(long[4000:]))
		case "/empty":
			w.WriteHeader(http.StatusNoContent)
		case "/cut":
			w.Header().Set("Content-Length", "20000")
			_, _ = w.Write([]byte(long))
		}
	}))
	defer srv.Close()
	for _, tc := range []struct {
		path    string
		want    string
		wantErr bool
	}{{"/length", long, false}, {"/chunked", long, false}, {"/empty", "", false}, {"/cut", long, true}} {
		resp, err := http.Get(srv.URL + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		got, err := readBody(resp)
		resp.Body.Close()
		if string(got) != tc.want || (err != nil) != tc.wantErr {
			t.Errorf("%s: read %d bytes, err %v; want %d bytes, error %v", tc.path, len(got), err, len(tc.want), tc.wantErr)
		}
	}
}
