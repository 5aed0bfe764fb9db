package importer

import (
	"regexp"
	"strings"
)

// looksSecret reports whether the literal value of an input holds a
// credential, which the import never copies into a flow file: its name
// says so (api_key, client_secret, password, Authorization, …), unless the
// name is about a credential rather than one (token_type,
// token_endpoint_auth_method, hasPassword, token_url) or the value is one
// that is never secret: an authentication scheme on its own ("Bearer",
// "Basic", "SSWS"), a content type, or a yes/no.
func looksSecret(key, value string) bool {
	k := strings.NewReplacer("_", "", "-", "", " ", "", ".", "").Replace(strings.ToLower(key))
	named := false
	for _, w := range secretWords {
		if strings.Contains(k, w) {
			named = true
			break
		}
	}
	if !named || aboutCredential(k) {
		return false
	}
	return !plainValue(value)
}

var secretWords = []string{"apikey", "secret", "password", "passwd", "token", "authorization", "privatekey", "credential"}

// aboutCredential reports whether a (normalised) input name describes a
// credential (its type, method, where to get it, whether there is one)
// instead of holding it.
func aboutCredential(k string) bool {
	for _, p := range []string{"has", "is", "use", "require", "enable"} {
		for _, w := range secretWords {
			if strings.HasPrefix(k, p+w) {
				return true
			}
		}
	}
	for _, s := range []string{"type", "method", "scheme", "mode", "kind", "format", "url", "uri", "endpoint", "expiry", "expiresin", "ttl", "length", "policy"} {
		if strings.HasSuffix(k, s) {
			return true
		}
	}
	return false
}

// authSchemes are HTTP authentication scheme names (IANA registry, and
// Okta's SSWS): on their own, a prefix a flow completes with a credential.
var authSchemes = map[string]bool{
	"basic": true, "bearer": true, "digest": true, "hoba": true, "mutual": true, "negotiate": true, "ntlm": true,
	"oauth": true, "oauth2": true, "scram-sha-1": true, "scram-sha-256": true, "vapid": true, "ssws": true,
	"token": true, "jwt": true, "dpop": true, "aws4-hmac-sha256": true, "apikey": true, "api-key": true,
}

// contentTypeRE matches a media type, with parameters: application/json,
// application/x-www-form-urlencoded; charset=utf-8.
var contentTypeRE = regexp.MustCompile(`^[a-z]+/[a-z0-9.+-]+(\s*;.*)?$`)

// plainValue reports whether v is never a secret, whatever the input's
// name: an authentication scheme alone, a content type, or a yes/no.
func plainValue(v string) bool {
	t := strings.ToLower(strings.TrimSpace(v))
	switch {
	case authSchemes[t], contentTypeRE.MatchString(t):
		return true
	}
	switch t {
	case "yes", "no", "true", "false", "none", "null":
		return true
	}
	return false
}
