package plan

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/internal/credential"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// SecretRanges is the Extra of a "Literal secret" diagnostic: the ranges
// of the source that hold the secret. Whatever prints the diagnostic's
// source lines (validate's snippets, CI annotations) masks them, so that
// the secret does not spread from git into CI logs.
type SecretRanges []hcl.Range

// Secrets returns the ranges a diagnostic says hold a secret.
func Secrets(d *hcl.Diagnostic) []hcl.Range {
	r, _ := hcl.DiagnosticExtra[SecretRanges](d)
	return r
}

// checkLiteralSecret rejects secrets written into flow files: a sensitive
// argument must come from env(), file() or a sensitive variable. Each
// entry of a map is checked on its own, so that one env() does not excuse
// a literal beside it.
func checkLiteralSecret(kind, name string, expr hcl.Expression) hcl.Diagnostics {
	if obj, ok := expr.(*hclsyntax.ObjectConsExpr); ok {
		var diags hcl.Diagnostics
		for _, item := range obj.Items {
			diags = append(diags, checkLiteralSecret(kind, name, item.ValueExpr)...)
		}
		return diags
	}
	if !isLiteralText(expr) {
		return nil
	}
	return literalSecret(expr, literalSecretDetail(kind, name))
}

// checkCredentialKeys rejects literal values under the keys of a map that
// name a credential (an Authorization header, an api_key query parameter),
// in an argument whose schema marks its keys as names (a.CredentialKeys).
// funcs evaluate a map built by a function of literals (jsondecode of
// JSON text, as imports write headers given as text).
func checkCredentialKeys(a connector.Attribute, expr hcl.Expression, funcs map[string]function.Function) hcl.Diagnostics {
	if !a.CredentialKeys || a.Sensitive {
		return nil
	}
	obj, ok := expr.(*hclsyntax.ObjectConsExpr)
	if !ok {
		return checkConstantCredentials(a, expr, funcs)
	}
	var diags hcl.Diagnostics
	for _, item := range obj.Items {
		kv, d := item.KeyExpr.Value(nil)
		if d.HasErrors() || !kv.IsKnown() || kv.IsNull() || kv.Type() != cty.String {
			continue
		}
		key := kv.AsString()
		if !namesCredential(key) || !isLiteralText(item.ValueExpr) || holdsNoSecret(item.ValueExpr) {
			continue
		}
		diags = append(diags, literalSecret(item.ValueExpr, fmt.Sprintf(
			"%q names a credential, and its value in the argument %q is written in the flow file: secrets must not live in flow files, which reach git and CI logs. Read it with env(\"NAME\") or a sensitive variable, e.g. %s.",
			key, a.Name, credentialExample(key)))...)
	}
	return diags
}

// checkConstantCredentials checks a map argument that is not written as
// a map but computed from literals only.
func checkConstantCredentials(a connector.Attribute, expr hcl.Expression, funcs map[string]function.Function) hcl.Diagnostics {
	if len(expr.Variables()) > 0 || readsOutside(expr) {
		return nil
	}
	v, d := expr.Value(&hcl.EvalContext{Functions: funcs})
	if d.HasErrors() || !v.IsWhollyKnown() || v.IsNull() || !(v.Type().IsObjectType() || v.Type().IsMapType()) {
		return nil
	}
	var keys []string
	for it := v.ElementIterator(); it.Next(); {
		k, e := it.Element()
		if namesCredential(k.AsString()) && hasLiteralText(e) && !(e.Type() == cty.String && credential.PlainValue(e.AsString())) {
			keys = append(keys, k.AsString())
		}
	}
	if len(keys) == 0 {
		return nil
	}
	return literalSecret(expr, fmt.Sprintf(
		"The argument %q holds a literal value under %s, which names a credential: secrets must not live in flow files, which reach git and CI logs. Write %q as a map and read the credential with env(\"NAME\") or a sensitive variable, e.g. %s.",
		a.Name, strings.Join(quoteAll(keys), ", "), a.Name, credentialExample(keys[0])))
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}

func literalSecret(expr hcl.Expression, detail string) hcl.Diagnostics {
	return hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Literal secret",
		Detail:   detail,
		Subject:  expr.Range().Ptr(),
		Extra:    SecretRanges{expr.Range()},
	}}
}

// credentialHeaders are the names that carry credentials whatever else
// they say; credentialWords those whose name says so.
var (
	credentialHeaders = map[string]bool{"authorization": true, "proxy-authorization": true, "x-api-key": true, "x-auth-token": true, "cookie": true}
	credentialWords   = regexp.MustCompile(`(?i)api[-_]?key|token|secret|password`)
)

// namesCredential reports whether a header or parameter name says that
// its value is a credential; not a name about one (token_type,
// token_endpoint_auth_method, hasPassword).
func namesCredential(name string) bool {
	if credentialHeaders[strings.ToLower(name)] {
		return true
	}
	return credentialWords.MatchString(name) && !credential.AboutCredential(name)
}

// isLiteralText reports whether expr is text written into the file: it
// reads no variable, card or trigger and calls neither env() nor file(),
// and holds a non-empty string.
func isLiteralText(expr hcl.Expression) bool {
	if len(expr.Variables()) > 0 || readsOutside(expr) {
		return false
	}
	if v, d := expr.Value(nil); !d.HasErrors() {
		return hasLiteralText(v)
	}
	// Other functions of literals (base64encode("user:password")) are
	// literals too.
	found := false
	if se, ok := expr.(hclsyntax.Expression); ok {
		hclsyntax.VisitAll(se, func(n hclsyntax.Node) hcl.Diagnostics {
			if lit, ok := n.(*hclsyntax.LiteralValueExpr); ok && hasLiteralText(lit.Val) {
				found = true
			}
			return nil
		})
	}
	return found
}

// holdsNoSecret reports whether a constant value cannot be a secret: an
// authorization scheme alone ("Bearer "), a media type, or a switch such
// as Okta's oauthTokens = "true" (credential.PlainValue).
func holdsNoSecret(expr hcl.Expression) bool {
	v, d := expr.Value(nil)
	if d.HasErrors() || v.Type() != cty.String || !v.IsKnown() || v.IsNull() {
		return false
	}
	return credential.PlainValue(v.AsString())
}

// hasLiteralText reports whether v holds a non-empty string anywhere: a
// literal token, or a map of literal headers.
func hasLiteralText(v cty.Value) bool {
	if v.IsNull() || !v.IsKnown() {
		return false
	}
	if v.Type() == cty.String {
		return strings.TrimSpace(v.AsString()) != ""
	}
	if v.CanIterateElements() {
		for it := v.ElementIterator(); it.Next(); {
			if _, e := it.Element(); hasLiteralText(e) {
				return true
			}
		}
	}
	return false
}

func literalSecretDetail(kind, name string) string {
	if kind == "variable" {
		return fmt.Sprintf("The variable %q is sensitive and its default is a literal value: secrets must not live in flow files. Remove the default and set the value with CARDFLOW_VAR_%s or --var-file, or use env(\"NAME\") in the argument instead.", name, name)
	}
	return fmt.Sprintf("The %s %q is sensitive and holds a literal value: secrets must not live in flow files. Use env(\"NAME\"), file(\"path\") or a sensitive variable.", kind, name)
}

// readsOutside reports whether expr calls env() or file(): their values
// come from outside the flow files.
func readsOutside(expr hcl.Expression) bool {
	found := false
	if se, ok := expr.(hclsyntax.Expression); ok {
		hclsyntax.VisitAll(se, func(n hclsyntax.Node) hcl.Diagnostics {
			if call, ok := n.(*hclsyntax.FunctionCallExpr); ok && (call.Name == "env" || call.Name == "file") {
				found = true
			}
			return nil
		})
	}
	return found
}

// credentialExample shows how key's value is read from the environment.
func credentialExample(key string) string {
	if strings.HasSuffix(strings.ToLower(key), "authorization") {
		return hclKey(key) + ` = "Bearer ${env("API_TOKEN")}"`
	}
	name := strings.ToUpper(strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, key))
	return fmt.Sprintf("%s = env(%q)", hclKey(key), name)
}

// hclKey writes a map key as HCL needs it: quoted unless an identifier.
func hclKey(k string) string {
	if hclsyntax.ValidIdentifier(k) {
		return k
	}
	return fmt.Sprintf("%q", k)
}
