package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// e2eSpelledKey is a partner API key that every encoding spells
// differently; the flow below puts it in a URL query.
const e2eSpelledKey = "b64+SECRET/key=="

// e2eKeySpellings are the forms in which e2eSpelledKey travels.
func e2eKeySpellings() map[string]string {
	b := []byte(e2eSpelledKey)
	return map[string]string{
		"raw":          e2eSpelledKey,
		"query":        url.QueryEscape(e2eSpelledKey), // b64%2BSECRET%2Fkey%3D%3D
		"path":         url.PathEscape(e2eSpelledKey),
		"base64":       base64.StdEncoding.EncodeToString(b),
		"base64url":    base64.URLEncoding.EncodeToString(b),
		"base64raw":    base64.RawStdEncoding.EncodeToString(b),
		"base64rawurl": base64.RawURLEncoding.EncodeToString(b),
	}
}

const e2eSecretFlow = `
variable "partner_key" {
  type      = string
  sensitive = true
}

variable "endpoint_token" {
  type      = string
  sensitive = true
}

flow "partner_sync" {
  trigger "http.endpoint" {
    token = var.endpoint_token
  }

  # The partner echoes the request: its URL, and the key in every spelling.
  card "lookup" {
    action = http.request
    url    = "%[1]s/echo"
    query  = { key = var.partner_key }
  }

  # The partner refuses, quoting the URL in its error.
  card "push" {
    action = http.request
    url    = "%[1]s/reject"
    query  = { key = var.partner_key }
  }
}
`

// TestE2ESecretSpellings puts a sensitive variable in the query of two
// http.request cards through the real binary; the partner echoes it back
// URL-encoded and base64-encoded, and fails the second call quoting it.
// The key in none of its spellings reaches the log, the API's execution
// list and journal, or cardflow history and show.
func TestE2ESecretSpellings(t *testing.T) {
	e := newE2E(t)
	partner := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.URL.Query().Get("key")
		switch r.URL.Path {
		case "/echo":
			w.Header().Set("Content-Type", "application/json")
			sp := map[string]string{"url": r.URL.String()}
			for name := range e2eKeySpellings() {
				sp[name] = spell(name, key)
			}
			_ = json.NewEncoder(w).Encode(sp)
		default:
			http.Error(w, "no access for "+r.URL.String()+" (basic "+base64.StdEncoding.EncodeToString([]byte(key))+")", http.StatusForbidden)
		}
	}))
	defer partner.Close()
	if err := os.WriteFile(filepath.Join(e.flowDir, "partner.hcl"), []byte(fmt.Sprintf(e2eSecretFlow, partner.URL)), 0o644); err != nil {
		t.Fatal(err)
	}
	const token = "e2e-endpoint-token"
	e.extraArgs = []string{"--var", "partner_key=" + e2eSpelledKey, "--var", "endpoint_token=" + token}
	e.start()

	req, _ := http.NewRequest(http.MethodPost, e.url("/flows/partner_sync/invoke"), strings.NewReader(`{}`))
	req.Header.Set("X-Api-Client-Token", token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var accepted struct{ Executions []string }
	_ = json.NewDecoder(resp.Body).Decode(&accepted)
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted || len(accepted.Executions) != 1 {
		t.Fatalf("invoke: status %d, executions %v", resp.StatusCode, accepted.Executions)
	}
	id := accepted.Executions[0]
	eventually(t, "the partner_sync execution to finish", func() bool { return finished(e.execution(id)) })
	if ex := e.execution(id); ex.Status != "failed" || len(ex.Cards) != 2 {
		t.Fatalf("execution %s: status %s with %d journal entries, want failed at push", id, ex.Status, len(ex.Cards))
	}

	outputs := map[string]string{"the log": e.cur.out.String()}
	for _, path := range []string{"/api/v1/executions/" + id, "/api/v1/executions?flow=partner_sync"} {
		var raw json.RawMessage
		if status, err := e.getJSON(e.adminURL(path), &raw); err != nil || status != http.StatusOK {
			t.Fatalf("GET %s: %d %v", path, status, err)
		}
		outputs["GET "+path] = string(raw)
	}
	for _, args := range [][]string{{"history", "--flow", "partner_sync"}, {"show", id}, {"show", id, "--format", "json"}} {
		out, err := exec.Command(cardflowBin, append(args, "--db", e.db)...).CombinedOutput()
		if err != nil {
			t.Fatalf("cardflow %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		outputs["cardflow "+strings.Join(args, " ")] = string(out)
	}
	if show := outputs["GET /api/v1/executions/"+id]; !strings.Contains(show, "(sensitive)") || !strings.Contains(show, "/reject") {
		t.Errorf("the journal shows neither the redactions nor the refused call:\n%s", show)
	}
	for where, text := range outputs {
		for name, s := range e2eKeySpellings() {
			if strings.Contains(text, s) {
				t.Errorf("%s holds the key's %s spelling %q:\n%s", where, name, s, text)
			}
		}
	}
}

// spell writes key as e2eKeySpellings names it.
func spell(name, key string) string {
	b := []byte(key)
	switch name {
	case "query":
		return url.QueryEscape(key)
	case "path":
		return url.PathEscape(key)
	case "base64":
		return base64.StdEncoding.EncodeToString(b)
	case "base64url":
		return base64.URLEncoding.EncodeToString(b)
	case "base64raw":
		return base64.RawStdEncoding.EncodeToString(b)
	case "base64rawurl":
		return base64.RawURLEncoding.EncodeToString(b)
	}
	return key
}
