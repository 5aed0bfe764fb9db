package engine_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/cardflow/cardflow/engine"
	"github.com/cardflow/cardflow/engine/server"
	"github.com/cardflow/cardflow/engine/store/memory"
)

// TestAuditorClipsLongText: a refused request keeps what it asked for in
// its audit entry (a cancel's reason refused as too long); the entry and
// its log line keep its first 1,000 characters and say how long it was.
func TestAuditorClipsLongText(t *testing.T) {
	ctx := context.Background()
	st := memory.New()
	defer st.Close()
	var logs bytes.Buffer
	a := engine.Auditor{Store: st, Logger: slog.New(slog.NewJSONHandler(&logs, nil))}
	long := strings.Repeat("原因", 2500) // 5,000 characters, 15,000 bytes
	a.Audit(ctx, server.AuditEvent{Time: time.Now(), Principal: "alice", Action: "cancel", Target: "ex_1",
		Detail: long, Outcome: "refused: the reason is 5000 characters; keep it to 1000 at most"})
	a.Audit(ctx, server.AuditEvent{Time: time.Now().Add(time.Millisecond), Principal: "alice", Action: "cancel", Target: "ex_2",
		Detail: "user left before approval", Outcome: "ok"})

	entries, err := (&engine.ConsoleSource{Store: st}).AuditLog(ctx, "", 10)
	if err != nil || len(entries) != 2 {
		t.Fatalf("audit log: %d entries, %v; want 2", len(entries), err)
	}
	byTarget := map[string]string{}
	for _, e := range entries {
		byTarget[e.Target] = e.Detail
	}
	want := strings.Repeat("原因", 500) + "… (5000 characters in all)"
	if got := byTarget["ex_1"]; got != want {
		t.Errorf("the long detail is kept as %d characters (%.40q…), want its first 1000 and its length", utf8.RuneCountInString(got), got)
	}
	if got := byTarget["ex_2"]; got != "user left before approval" {
		t.Errorf("a short detail is kept as %q", got)
	}
	if strings.Contains(logs.String(), strings.Repeat("原因", 501)) || !strings.Contains(logs.String(), "5000 characters in all") {
		t.Errorf("the log line does not carry the clipped detail:\n%.300s", logs.String())
	}
}
