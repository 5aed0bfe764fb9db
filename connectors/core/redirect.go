package core

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/engine/connector"
)

// The values of http.request's follow_redirects.
const (
	redirectSameOrigin = "same_origin"
	redirectAny        = "any"
	redirectNone       = "none"
)

// maxRedirects is how many redirects one request follows, as net/http's
// default policy.
const maxRedirects = 10

var followRedirectsAttr = connector.Attribute{
	Name: "follow_redirects", Type: cty.String, Default: cty.StringVal(redirectSameOrigin),
	Check: checkFollowRedirects,
	Doc: "Which redirects to follow: \"same_origin\" (the default: only to the scheme, host and port of url), " +
		"\"any\" (also to other origins, which never receive the Authorization, Cookie, secret_headers or " +
		"headers of the card), or \"none\" (the 3xx response is the output).",
}

func checkFollowRedirects(v cty.Value) error {
	switch v.AsString() {
	case redirectSameOrigin, redirectAny, redirectNone:
		return nil
	}
	return fmt.Errorf("follow_redirects is %q; use %q, %q or %q", v.AsString(), redirectSameOrigin, redirectAny, redirectNone)
}

// errOtherOrigin is what a same_origin request answers when it is
// redirected elsewhere.
var errOtherOrigin = errors.New("redirected to another origin")

// checkRedirect returns the CheckRedirect of a request made with the
// follow_redirects policy. custom are the names of the headers the card
// set (headers and secret_headers): a hop to an origin other than the
// card's url gets none of them, nor the credentials net/http would keep
// (it strips Authorization only for another domain, not another port or
// scheme, and never custom headers such as X-Api-Key), nor a Referer,
// which would carry the previous URL's query.
func checkRedirect(policy string, custom []string) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if policy == redirectNone {
			return http.ErrUseLastResponse
		}
		if len(via) >= maxRedirects {
			return fmt.Errorf("stopped after %d redirects", maxRedirects)
		}
		if sameOrigin(req.URL, via[0].URL) {
			return nil
		}
		if policy != redirectAny {
			return fmt.Errorf("%w %s (the card's url is on %s); set follow_redirects = \"any\" to follow it",
				errOtherOrigin, origin(req.URL), origin(via[0].URL))
		}
		for _, h := range custom {
			req.Header.Del(h)
		}
		for _, h := range []string{"Authorization", "Proxy-Authorization", "Cookie", "Referer"} {
			req.Header.Del(h)
		}
		return nil
	}
}

// sameOrigin reports whether a and b have the same scheme, host and port.
func sameOrigin(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(hostPort(a), hostPort(b))
}

// hostPort is u's host with its port, the scheme's default when it has none.
func hostPort(u *url.URL) string {
	if port := u.Port(); port != "" {
		return u.Host
	}
	if strings.EqualFold(u.Scheme, "https") {
		return u.Host + ":443"
	}
	return u.Host + ":80"
}

// origin is scheme://host[:port] of u: nothing of its path or query, which
// may carry what errors must not show.
func origin(u *url.URL) string { return u.Scheme + "://" + u.Host }

// clientFor returns client with the redirect policy of one request.
func clientFor(client *http.Client, policy string, custom []string) *http.Client {
	c := *client
	c.CheckRedirect = checkRedirect(policy, custom)
	return &c
}
