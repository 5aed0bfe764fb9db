package main

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestE2EConcurrentReplaysConflict: of 20 concurrent replays of one
// execution through the admin API, those that find it reopened by another
// are answered 409, as the docs say, never 503 "could not be stored" with
// an ERROR in the log.
func TestE2EConcurrentReplaysConflict(t *testing.T) {
	e := newEdge(t)
	operator, opLine := e.createToken("alice", "operate")
	file := filepath.Join(e.dir, "admin-tokens")
	if err := os.WriteFile(file, []byte(opLine+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	e.start("--admin-token-file", file)
	admin := "http://" + e.admin
	id := e.invoke(http.DefaultClient, "http://"+e.addr)
	eventually(t, "the execution to succeed", func() bool {
		_, body := adminRequest(t, http.DefaultClient, "GET", admin+"/api/v1/executions/"+id, operator)
		return strings.Contains(body, `"status": "succeeded"`)
	})
	const n = 20
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			statuses[i], _ = adminPost(t, http.DefaultClient, "POST", admin+"/api/v1/executions/"+id+"/replay", operator, `{"force": true}`)
		})
	}
	wg.Wait()
	accepted := 0
	for _, s := range statuses {
		if s == http.StatusAccepted {
			accepted++
		} else if s != http.StatusConflict {
			t.Errorf("a concurrent replay: %d, want 202 or 409 (all: %v)", s, statuses)
		}
	}
	if accepted == 0 {
		t.Errorf("no replay accepted: %v", statuses)
	}
	for _, rec := range e.p.out.records() {
		if rec["level"] == "ERROR" {
			t.Errorf("logged an error: %v", rec)
		}
	}
}
