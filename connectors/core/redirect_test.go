package core

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/engine/connector"
)

// hopLog records the requests a test server received, with the headers
// that must not cross origins.
type hopLog struct {
	mu   sync.Mutex
	hops []string
}

func (l *hopLog) add(r *http.Request) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var b strings.Builder
	b.WriteString(r.URL.Path)
	for _, h := range []string{"Authorization", "X-Api-Key", "X-Custom", "Cookie", "Referer"} {
		if v := r.Header.Get(h); v != "" {
			b.WriteString(" " + h + "=" + v)
		}
	}
	l.hops = append(l.hops, b.String())
}

func (l *hopLog) get() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.hops...)
}

// TestHTTPRequestRedirects runs http.request against two loopback servers
// on different ports (two origins): the card's server redirects to itself
// and to the other one.
func TestHTTPRequestRedirects(t *testing.T) {
	var otherLog, ownLog hopLog
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		otherLog.add(r)
		_, _ = w.Write([]byte("other"))
	}))
	defer other.Close()
	own := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ownLog.add(r)
		switch r.URL.Path {
		case "/cross":
			http.Redirect(w, r, other.URL+"/landed?sig=abc", http.StatusFound)
		case "/same":
			http.Redirect(w, r, "/landed", http.StatusFound)
		default:
			_, _ = w.Write([]byte("own"))
		}
	}))
	defer own.Close()

	args := func(path, policy string) map[string]cty.Value {
		a := map[string]cty.Value{
			"url":            cty.StringVal(own.URL + path + "?key=b64%2BSECRET"),
			"headers":        cty.MapVal(map[string]cty.Value{"X-Custom": cty.StringVal("custom")}),
			"secret_headers": cty.MapVal(map[string]cty.Value{"Authorization": cty.StringVal("Bearer t0ken"), "X-Api-Key": cty.StringVal("k3y"), "Cookie": cty.StringVal("s=1")}),
		}
		if policy != "" {
			a["follow_redirects"] = cty.StringVal(policy)
		}
		return a
	}
	const creds = " Authorization=Bearer t0ken X-Api-Key=k3y X-Custom=custom Cookie=s=1"
	reset := func() { otherLog.hops, ownLog.hops = nil, nil }

	t.Run("same origin is followed with the headers", func(t *testing.T) {
		reset()
		out, err := call(t, HTTP(), "request", args("/same", ""), nil)
		if err != nil {
			t.Fatal(err)
		}
		wantValue(t, out.GetAttr("body"), cty.StringVal("own"))
		want := []string{"/same" + creds, "/landed" + creds + " Referer=" + own.URL + "/same?key=b64%2BSECRET"}
		if got := ownLog.get(); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("own server saw\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
	t.Run("another origin is refused by default", func(t *testing.T) {
		reset()
		_, err := call(t, HTTP(), "request", args("/cross", ""), nil)
		wantKind(t, err, connector.Invalid, "redirected to another origin "+other.URL)
		if strings.Contains(err.Error(), "SECRET") || strings.Contains(err.Error(), "sig=") {
			t.Errorf("error shows a query: %v", err)
		}
		if got := otherLog.get(); len(got) != 0 {
			t.Errorf("the other origin was called: %q", got)
		}
	})
	t.Run("another origin with any gets no credentials nor custom headers", func(t *testing.T) {
		reset()
		out, err := call(t, HTTP(), "request", args("/cross", "any"), nil)
		if err != nil {
			t.Fatal(err)
		}
		wantValue(t, out.GetAttr("body"), cty.StringVal("other"))
		if got := otherLog.get(); len(got) != 1 || got[0] != "/landed" {
			t.Errorf("the other origin saw %q, want one bare request of /landed", got)
		}
	})
	t.Run("none returns the redirect", func(t *testing.T) {
		reset()
		out, err := call(t, HTTP(), "request", args("/cross", "none"), nil)
		if err != nil {
			t.Fatal(err)
		}
		wantValue(t, out.GetAttr("status"), cty.NumberIntVal(http.StatusFound))
		if got := otherLog.get(); len(got) != 0 {
			t.Errorf("the other origin was called: %q", got)
		}
	})
	t.Run("an unknown policy is a diagnostic", func(t *testing.T) {
		if err := checkFollowRedirects(cty.StringVal("all")); err == nil || !strings.Contains(err.Error(), `"any"`) {
			t.Errorf("checkFollowRedirects(all) = %v, want an error naming the values", err)
		}
	})
}

func TestSameOrigin(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"https://a.example/x", "https://a.example:443/y?q", true},
		{"http://a.example/x", "http://A.example:80/", true},
		{"http://127.0.0.1:8080/", "http://127.0.0.1:8081/", false},
		{"http://a.example/", "https://a.example/", false},
		{"https://a.example/", "https://b.a.example/", false},
	} {
		a, b := mustURL(t, tc.a), mustURL(t, tc.b)
		if got := sameOrigin(a, b); got != tc.want {
			t.Errorf("sameOrigin(%s, %s) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
