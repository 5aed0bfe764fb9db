package main

import (
	"net/http"
	"net/url"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/cardflow/cardflow/engine/server"
)

// TestE2ESearchBySurname: Okta announces a new hire, Jane Doe, through the
// event hook; an admin finds her execution by her surname, in any case,
// through the history API and cardflow history, and a part of the name
// that starts no word finds nothing.
func TestE2ESearchBySurname(t *testing.T) {
	e := newE2E(t)
	e.start()
	user, _ := e.newHire("Jane", "Doe")
	ra := e.waitExecution("request_approval", user)

	search := func(text string) []string {
		t.Helper()
		var out struct {
			Executions []server.ExecutionJSON `json:"executions"`
		}
		status, err := e.getJSON(e.adminURL("/api/v1/executions?"+url.Values{"text": {text}}.Encode()), &out)
		if err != nil || status != http.StatusOK {
			t.Fatalf("GET /api/v1/executions?text=%s: status %d, %v", text, status, err)
		}
		var ids []string
		for _, ex := range out.Executions {
			ids = append(ids, ex.ID)
		}
		return ids
	}
	for _, text := range []string{"doe", "DOE", "Jane Doe", "jane.doe@", user} {
		if ids := search(text); !slices.Contains(ids, ra.ID) {
			t.Errorf("?text=%s finds %q, want Jane Doe's request_approval %s", text, ids, ra.ID)
		}
	}
	if ids := search("oe"); len(ids) != 0 {
		t.Errorf("?text=oe finds %q, want none: a term matches from its start", ids)
	}

	out, err := exec.Command(cardflowBin, "history", "--text", "doe", "--db", e.db).CombinedOutput()
	if err != nil {
		t.Fatalf("cardflow history --text doe: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), ra.ID) {
		t.Errorf("cardflow history --text doe does not list %s:\n%s", ra.ID, out)
	}
}
