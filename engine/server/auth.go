package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"

	"golang.org/x/net/http/httpguts"
)

// Role is what a principal may do on the admin surface.
type Role int

// Roles, weakest first: a role may do everything the roles before it may.
const (
	// RoleNone is no role: the zero value grants nothing.
	RoleNone Role = iota
	// RoleRead reads history, metrics and the console.
	RoleRead
	// RoleOperate also changes state: replays executions, reads profiles.
	RoleOperate
)

// String is the role's name as token files and logs spell it.
func (r Role) String() string {
	switch r {
	case RoleRead:
		return "read"
	case RoleOperate:
		return "operate"
	}
	return "none"
}

// ParseRole reads a role's name.
func ParseRole(s string) (Role, error) {
	switch s {
	case "read":
		return RoleRead, nil
	case "operate":
		return RoleOperate, nil
	}
	return RoleNone, fmt.Errorf("role %q is neither read nor operate", s)
}

// Allows reports whether r includes need.
func (r Role) Allows(need Role) bool { return need != RoleNone && r >= need }

// Principal is who made an admin request, as an Authenticator proved it.
type Principal struct {
	// Name identifies the principal in audit records: a token's name, an
	// OIDC subject, or "loopback".
	Name string
	Role Role
	// Method is how it was authenticated: "token", "loopback" (later "oidc").
	Method string
}

// ErrUnauthenticated means a request carried no credentials, or ones that
// prove nobody: the admin surface answers 401.
var ErrUnauthenticated = errors.New("unauthenticated")

// Authenticator proves who sent an admin request. Bearer tokens are one
// implementation; an OIDC one (session cookies, ID tokens) plugs in here
// without the handlers changing.
type Authenticator interface {
	// Authenticate returns the request's principal, ErrUnauthenticated
	// when it proves nobody, or another error when it cannot tell now.
	Authenticate(r *http.Request) (*Principal, error)
}

// LoopbackTrust is the Authenticator of an admin listener on loopback with
// no tokens configured: whoever can connect runs on this machine, and is as
// trusted as the cardflow CLI that opens the store directly.
//
// It trusts only requests addressed to a loopback host (127.0.0.1, [::1],
// localhost): a web page whose own name resolves to 127.0.0.1 (DNS
// rebinding) reaches the listener with its name in Host, and is refused.
type LoopbackTrust struct{}

// Authenticate implements Authenticator.
func (LoopbackTrust) Authenticate(r *http.Request) (*Principal, error) {
	if !LoopbackHost(r.Host) {
		return nil, ErrUnauthenticated
	}
	return &Principal{Name: "loopback", Role: RoleOperate, Method: "loopback"}, nil
}

// LoopbackHost reports whether a Host header (host or host:port) names
// this machine's loopback.
func LoopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// BearerToken reads the request's Authorization header as RFC 9110 §11.4
// and RFC 6750 §2.1 define Bearer credentials: the scheme, in any case
// ("bearer", "BEARER"), one or more spaces (SP, not tabs), then a token68
// (letters, digits, - . _ ~ + /, then any "=" padding). bearer reports
// whether the request offers Bearer credentials at all; token is "" when
// they are malformed (no token, a tab, a second word) or when the request
// has more than one Authorization header (the field takes one value):
// such credentials prove nobody, as a wrong token does. Every surface that
// takes admin tokens reads them here, so that they agree on what is one.
func BearerToken(r *http.Request) (token string, bearer bool) {
	values := r.Header.Values("Authorization")
	if len(values) == 0 {
		return "", false
	}
	if len(values) > 1 {
		return "", true
	}
	// The value is trimmed of the optional whitespace around it, as the
	// server does when it reads the request (RFC 9110 §5.5).
	h := strings.Trim(values[0], " \t")
	// The scheme is a token (RFC 9110 §5.6.2): net/http's own rules.
	scheme := h[:len(h)-len(strings.TrimLeftFunc(h, httpguts.IsTokenRune))]
	if !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	rest := h[len(scheme):]
	token = strings.TrimLeft(rest, " ")
	if len(token) == len(rest) || !isToken68(token) {
		return "", true
	}
	return token, true
}

// isToken68 reports whether s is a token68 (RFC 9110 §11.2).
func isToken68(s string) bool {
	body := strings.TrimRight(s, "=")
	if body == "" {
		return false
	}
	for _, c := range body {
		if !(c < 0x80 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			strings.ContainsRune("-._~+/", c))) {
			return false
		}
	}
	return true
}

type principalKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the principal the admin surface authenticated for
// a request's context, or nil outside the admin surface.
func PrincipalFrom(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}
