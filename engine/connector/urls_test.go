package connector_test

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cardflow/cardflow/engine/connector"
)

func TestURLForError(t *testing.T) {
	for in, want := range map[string]string{
		"https://h.example/a/b":                          "https://h.example/a/b",
		"https://u:pw@h.example/a?key=b64%2BSECRET#frag": "https://h.example/a?…",
		"https://h.example/a?":                           "https://h.example/a?…",
		"http://[::1/x?key=SECRET":                       "http://[::1/x?…",
		"https://u:SECRET@h.example/%zz":                 "https://h.example/%zz",
		"https://u:SECRET@h.example/%zz?key=SECRET":      "https://h.example/%zz?…",
		"": "",
	} {
		if got := connector.URLForError(in); got != want {
			t.Errorf("URLForError(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestWithoutURLQuery checks the error of a real failed round trip, which
// net/http wraps in a *url.Error that quotes the whole URL.
func TestWithoutURLQuery(t *testing.T) {
	_, err := http.Get("http://127.0.0.1:1/x?key=b64%2BSECRET%2Fkey%3D%3D")
	if err == nil {
		t.Skip("something answers on port 1")
	}
	clean := connector.WithoutURLQuery(err)
	if strings.Contains(clean.Error(), "SECRET") || !strings.Contains(clean.Error(), "http://127.0.0.1:1/x?…") {
		t.Errorf("WithoutURLQuery = %q", clean)
	}
	var ue *url.Error
	if !errors.As(clean, &ue) || errors.Unwrap(ue) == nil {
		t.Errorf("the url.Error and its cause are gone: %#v", clean)
	}
	wrapped := connector.WithoutURLQuery(&connector.Error{Op: "x", Err: err})
	if strings.Contains(wrapped.Error(), "SECRET") || !errors.Is(wrapped, ue.Err) {
		t.Errorf("wrapped: %q", wrapped)
	}
}

// TestURLParseError: the error of url.Parse quotes its whole input; the
// one URLParseError returns shows it without password and query.
func TestURLParseError(t *testing.T) {
	for _, raw := range []string{"https://admin:P4ssLeak@acme.example/%zz?apikey=QueryLeak"} {
		_, err := url.Parse(raw)
		if err == nil || !strings.Contains(err.Error(), "P4ssLeak") {
			t.Fatalf("url.Parse(%q): %v, want an error quoting the URL", raw, err)
		}
		got := connector.URLParseError(raw, err).Error()
		if strings.Contains(got, "P4ssLeak") || strings.Contains(got, "QueryLeak") || !strings.Contains(got, "acme.example") {
			t.Errorf("URLParseError = %q", got)
		}
	}
}
