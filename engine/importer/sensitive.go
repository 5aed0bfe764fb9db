package importer

import (
	"sort"
	"strconv"
	"strings"

	"github.com/cardflow/cardflow/internal/credential"
)

// sensitiveBody returns the paths of the body fields an API Endpoint card
// declares that hold a credential (an Okta password import hook's
// data.context.credential.password; a password the caller posts): the
// http.endpoint trigger lists them in sensitive, so that they are never
// stored. A field of an object output is found through the output's type
// ({"context": {"type": {"credential": {"type": {"password": …}}}}}).
func sensitiveBody(m *Method) []string {
	var out []string
	for _, o := range m.Outputs {
		if o.Group != "body" || o.Key == "" {
			continue
		}
		credentialPaths(o.Key, o.Type, &out)
	}
	sort.Strings(out)
	return out
}

// credentialPaths adds path when it is a field (not an object) whose name
// says it holds a secret, else the paths of the fields of typ (an object
// output's type) that do. An object named "credential" holds a username
// beside the password, and Okta's action.credential is a verdict
// (VERIFIED): neither is a secret as a whole.
func credentialPaths(path string, typ any, out *[]string) {
	fields, isObject := typ.(map[string]any)
	if !isObject {
		name := path[strings.LastIndexByte(path, '.')+1:]
		if holdsSecret(name) {
			*out = append(*out, path)
		}
		return
	}
	for k, v := range fields {
		if k == "" || strings.ContainsAny(k, ".[]* \t\"'") {
			continue // not addressable as a path
		}
		credentialPaths(path+"."+k, fieldType(v), out)
	}
}

// holdsSecret reports whether a field's name says it holds a secret
// (password, client_secret, api_key, access_token), not about one
// (password_policy, token_type).
func holdsSecret(name string) bool {
	if !credential.Named(name) || credential.AboutCredential(name) {
		return false
	}
	k := strings.ToLower(name)
	for _, w := range []string{"pass", "secret", "token", "key"} {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}

// quotedList writes strings as an HCL list: ["a", "b"].
func quotedList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = strconv.Quote(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}
