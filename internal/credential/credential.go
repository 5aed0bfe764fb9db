// Package credential says which literal values named like credentials
// cannot be one, so that the importer (which moves credentials into
// env()) and validate (which rejects literal credentials) agree: a value
// the importer keeps in a flow file, validate accepts.
//
// It only classifies names and values; it never sees where they come from
// and must not log them.
package credential

import (
	"regexp"
	"strings"
)

// authSchemes are HTTP authentication scheme names (the IANA registry,
// Okta's SSWS and common API key schemes): on their own, a prefix that a
// flow completes with the credential.
var authSchemes = map[string]bool{
	"basic": true, "bearer": true, "digest": true, "hoba": true, "mutual": true, "negotiate": true, "ntlm": true,
	"oauth": true, "oauth2": true, "scram-sha-1": true, "scram-sha-256": true, "vapid": true, "ssws": true,
	"token": true, "jwt": true, "dpop": true, "aws4-hmac-sha256": true, "apikey": true, "api-key": true,
}

// mediaTypeRE matches a media type, with parameters: application/json,
// application/x-www-form-urlencoded; charset=utf-8.
var mediaTypeRE = regexp.MustCompile(`^[a-z]+/[a-z0-9.+-]+(\s*;.*)?$`)

// PlainValue reports whether v is never a credential, whatever its name:
// an authentication scheme alone ("Bearer", "Basic ", "SSWS"), a media
// type, or a switch (yes, no, true, false, none).
func PlainValue(v string) bool {
	t := strings.ToLower(strings.TrimSpace(v))
	if authSchemes[t] || mediaTypeRE.MatchString(t) {
		return true
	}
	switch t {
	case "yes", "no", "true", "false", "none", "null":
		return true
	}
	return false
}

// words are what a name that holds a credential says.
var words = []string{"apikey", "secret", "password", "passwd", "token", "authorization", "privatekey", "credential"}

// normalize lower-cases a name and drops its separators: Client_Secret,
// client-secret and "client secret" are clientsecret.
func normalize(name string) string {
	return strings.NewReplacer("_", "", "-", "", " ", "", ".", "").Replace(strings.ToLower(name))
}

// Named reports whether a name says its value is a credential: api_key,
// client_secret, password, Authorization, access_token.
func Named(name string) bool {
	k := normalize(name)
	for _, w := range words {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}

// AboutCredential reports whether a name that mentions a credential
// describes it instead of holding it: its type, method, scheme or where to
// get it (token_type, token_endpoint_auth_method, auth_scheme, token_url,
// password_policy), or whether there is one (hasPassword, isTokenValid,
// requireSecret).
func AboutCredential(name string) bool {
	k := normalize(name)
	for _, p := range []string{"has", "is", "use", "require", "enable"} {
		for _, w := range words {
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
