package core

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
)

// headerNameCases are header names a raw reply may or may not set: RFC
// 9110 §5.1 field names are tokens (§5.6.2), so ALPHA, DIGIT and
// !#$%&'*+-.^_`|~ only; delimiters, white space, controls and non-ASCII
// are refused.
var headerNameCases = []struct {
	name string
	ok   bool
}{
	{"X-Reason", true},
	{"x", true},
	{"A0z9", true},
	{"!#$%&'*+-.^_`|~", true},
	{"", false},
	{"X A", false},
	{"X\tA", false},
	{"X:", false},
	{"X\r\nSet-Cookie", false},
	{"X\x00", false},
	{"X\x7f", false},
	{"Xé", false},
	{`X"`, false},
	{"(),/;<=>?@[\\]{}", false},
}

func TestRawHeaderNames(t *testing.T) {
	for _, tt := range headerNameCases {
		err := rawHeaders(http.Header{}, map[string]any{tt.name: "v"})
		switch {
		case tt.ok && err != nil:
			t.Errorf("header %q: %v, want it set", tt.name, err)
		case !tt.ok && (err == nil || !strings.Contains(err.Error(), "is not a header name")):
			t.Errorf("header %q: error %v, want it refused as not a header name", tt.name, err)
		}
	}
	// Each delimiter alone, so that one accepted among refused ones shows.
	for _, c := range "(),/;<=>?@[\\]{}\" :" {
		if err := rawHeaders(http.Header{}, map[string]any{"X" + string(c): "v"}); err == nil {
			t.Errorf("header %q accepted", "X"+string(c))
		}
	}
	if err := rawHeaders(http.Header{}, map[string]any{"X A": "v"}); err == nil || err.Error() != `headers: "X A" is not a header name` {
		t.Errorf("error %v, want headers: \"X A\" is not a header name", err)
	}
}

// FuzzRawHeaderName checks a raw reply's header names against net/http's
// own: a name rawHeaders takes is one the client sends, and one it
// refuses, the client refuses too.
func FuzzRawHeaderName(f *testing.F) {
	for _, tt := range headerNameCases {
		f.Add(tt.name)
	}
	errDial := errors.New("no dialling in this test")
	client := &http.Client{Transport: &http.Transport{
		DialContext: func(context.Context, string, string) (net.Conn, error) { return nil, errDial },
	}}
	f.Fuzz(func(t *testing.T, name string) {
		ours := rawHeaders(http.Header{}, map[string]any{name: "v"}) == nil
		req, err := http.NewRequest(http.MethodGet, "http://127.0.0.1:1/", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header[name] = []string{"v"}
		_, err = client.Do(req)
		theirs := errors.Is(err, errDial)
		if !theirs && (err == nil || !strings.Contains(err.Error(), "invalid header field name")) {
			t.Fatalf("header %q: client error %v, want the dial's or an invalid name", name, err)
		}
		if ours != theirs {
			t.Errorf("header %q: rawHeaders takes it %v, net/http %v", name, ours, theirs)
		}
	})
}
