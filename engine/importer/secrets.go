package importer

import "github.com/cardflow/cardflow/internal/credential"

// looksSecret reports whether the literal value of an input holds a
// credential, which the import never copies into a flow file: its name
// says so (api_key, client_secret, password, Authorization, …), unless the
// name is about a credential rather than one (token_type,
// token_endpoint_auth_method, hasPassword, token_url) or the value is one
// that is never secret: an authentication scheme on its own ("Bearer",
// "Basic", "SSWS"), a media type, or a yes/no. validate accepts what this
// keeps (package credential).
func looksSecret(key, value string) bool {
	return credential.Named(key) && !credential.AboutCredential(key) && !credential.PlainValue(value)
}
