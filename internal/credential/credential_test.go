package credential

import "testing"

func TestPlainValue(t *testing.T) {
	for v, want := range map[string]bool{
		"Bearer": true, "Bearer ": true, "basic": true, "SSWS": true, "Digest": true,
		"application/json": true, "application/x-www-form-urlencoded; charset=utf-8": true,
		"No": true, "yes": true, "true": true, "none": true,
		"Bearer eyJhbGciOiJSUzI1NiJ9.e30.sig": false, "SSWS 00aBcDeFgHiJkLmNoP": false,
		"Basic dXNlcjpwYXNz": false, "s3cr3t": false, "9d49d5d17134a1b2": false, "": false,
	} {
		if got := PlainValue(v); got != want {
			t.Errorf("PlainValue(%q) = %v, want %v", v, got, want)
		}
	}
}

func TestNames(t *testing.T) {
	for _, tt := range []struct {
		name         string
		named, about bool
	}{
		{"api_key", true, false},
		{"Client Secret", true, false},
		{"x-api-token", true, false},
		{"Authorization", true, false},
		{"access_token", true, false},
		{"private-key", true, false},
		{"token_type", true, true},
		{"token_endpoint_auth_method", true, true},
		{"token_url", true, true},
		{"hasPassword", true, true},
		{"password_policy", true, true},
		{"login", false, false},
		{"Content-Type", false, true},
	} {
		if got := Named(tt.name); got != tt.named {
			t.Errorf("Named(%q) = %v, want %v", tt.name, got, tt.named)
		}
		if got := AboutCredential(tt.name); got != tt.about {
			t.Errorf("AboutCredential(%q) = %v, want %v", tt.name, got, tt.about)
		}
	}
}
