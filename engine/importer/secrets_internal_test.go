package importer

import "testing"

func TestLooksSecret(t *testing.T) {
	for _, tt := range []struct {
		key, value string
		want       bool
	}{
		{"api_key", "9d49d5d17134a1b2", true},
		{"client_secret", "s3cr3t-value", true},
		{"Password", "OktaD3mo!", true},
		{"Authorization", "SSWS 00aBcDeFgHiJkLmNoP", true},
		{"Authorization", "Basic dXNlcjpwYXNz", true},
		{"Authorization", "Bearer eyJhbGciOiJSUzI1NiJ9.e30.sig", true},
		{"access_token", "ya29.a0AfH6SM", true},
		{"x-api-token", "none-of-your-business", true},
		// An authentication scheme alone, a content type or a yes/no is
		// never a credential.
		{"token_type", "Bearer", false},
		{"Authorization", "Bearer", false},
		{"Authorization", "Bearer ", false},
		{"Authorization", "Basic", false},
		{"Authorization", "SSWS", false},
		{"authorization", "application/json", false},
		{"token_content", "application/x-www-form-urlencoded; charset=utf-8", false},
		{"hasPassword", "No", false},
		// Names about a credential, not holding one.
		{"token_type", "SAML_PASSWORD", false},
		{"token_endpoint_auth_method", "client_secret_basic", false},
		{"token_url", "https://oauth2.googleapis.com/token", false},
		{"password_policy", "default", false},
		// Names that do not say credential.
		{"login", "kari@example.com", false},
		{"Content-Type", "application/json", false},
	} {
		if got := looksSecret(tt.key, tt.value); got != tt.want {
			t.Errorf("looksSecret(%q, %q) = %v, want %v", tt.key, tt.value, got, tt.want)
		}
	}
}
