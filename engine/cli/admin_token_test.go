package cli_test

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/cardflow/cardflow/engine/server"
)

var (
	tokenRE     = regexp.MustCompile(`(?m)^  (` + server.TokenPrefix + `[A-Za-z0-9_-]{43})$`)
	tokenLineRE = regexp.MustCompile(`(?m)^  (\S+ (?:read|operate) sha256:[0-9a-f]{64})$`)
)

// TestAdminTokenCreate makes tokens with the CLI, puts their lines in a
// token file as the output says, and checks that the file authenticates
// each token as its name and role and holds no token itself.
func TestAdminTokenCreate(t *testing.T) {
	file := filepath.Join(t.TempDir(), "tokens")
	var lines []string
	tokens := map[string]string{}
	for _, c := range []struct{ name, role string }{{"grafana", "read"}, {"alice@acme.example", "operate"}} {
		res := run(t, nil, "admin", "token", "create", c.name, "--role", c.role)
		if res.code != 0 {
			t.Fatalf("create %s:\n%s", c.name, res)
		}
		tok, line := tokenRE.FindStringSubmatch(res.stdout), tokenLineRE.FindStringSubmatch(res.stdout)
		if tok == nil || line == nil {
			t.Fatalf("no token or line in\n%s", res.stdout)
		}
		if !strings.HasPrefix(line[1], c.name+" "+c.role+" ") || strings.Contains(line[1], tok[1]) {
			t.Errorf("line %q for %s %s", line[1], c.name, c.role)
		}
		tokens[c.name] = tok[1]
		lines = append(lines, line[1])
	}
	if tokens["grafana"] == tokens["alice@acme.example"] {
		t.Fatal("two tokens are the same")
	}
	if err := os.WriteFile(file, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tf, err := server.OpenTokenFile(file, nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]server.Role{"grafana": server.RoleRead, "alice@acme.example": server.RoleOperate} {
		req := httptest.NewRequest("GET", "/metrics", nil)
		req.Header.Set("Authorization", "Bearer "+tokens[name])
		p, err := tf.Authenticate(req)
		if err != nil || p.Name != name || p.Role != want {
			t.Errorf("token of %s authenticates as %+v, %v", name, p, err)
		}
	}
}

// TestAdminTokenCreateFile appends to a token file, refuses a second token
// of one name, and refuses usage mistakes with exit 2.
func TestAdminTokenCreateFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "tokens")
	res := run(t, nil, "admin", "token", "create", "ci", "--role", "read", "--file", file)
	if res.code != 0 {
		t.Fatalf("%s", res)
	}
	tok := tokenRE.FindStringSubmatch(res.stdout)
	data, err := os.ReadFile(file)
	if err != nil || tok == nil {
		t.Fatalf("%v\n%s", err, res)
	}
	if strings.Contains(string(data), tok[1]) || !strings.HasPrefix(string(data), "ci read sha256:") {
		t.Errorf("the token file holds %q", data)
	}
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("the token file's mode is %v (%v), want 0600", fi.Mode(), err)
	}
	if res := run(t, nil, "admin", "token", "create", "ci", "--role", "operate", "--file", file); res.code != 1 || !strings.Contains(res.stderr, "already") {
		t.Errorf("a second token named ci: want exit 1 naming it\n%s", res)
	}
	for _, args := range [][]string{
		{"admin", "token", "create", "ci2"},
		{"admin", "token", "create", "ci2", "--role", "admin"},
		{"admin", "token", "create", "bad name", "--role", "read"},
	} {
		if res := run(t, nil, args...); res.code != 2 || tokenRE.MatchString(res.stdout) {
			t.Errorf("%v: want exit 2 and no token\n%s", args, res)
		}
	}
}
