package server

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// AuditEvent is one action a principal took on the admin surface.
type AuditEvent struct {
	Time      time.Time
	Principal string // Principal.Name
	Method    string // how the principal was authenticated
	Role      string
	Action    string // "replay"
	Target    string // what it acted on: an execution id
	// Detail says how: the card a replay starts from.
	Detail string
	// Outcome is "ok" or why the action was refused.
	Outcome string
	Remote  string // the client's address, as the connection saw it
}

// Auditor records admin actions. LogAuditor writes them to the log; a
// store-backed one (which the console can list) plugs in here.
type Auditor interface {
	Audit(ctx context.Context, ev AuditEvent)
}

// LogAuditor writes each admin action as one structured log line,
// {"msg":"admin action","audit":{…}}, for log pipelines and SIEMs.
type LogAuditor struct{ Logger *slog.Logger }

// Audit implements Auditor.
func (a LogAuditor) Audit(ctx context.Context, ev AuditEvent) {
	log := a.Logger
	if log == nil {
		return
	}
	log.LogAttrs(ctx, slog.LevelInfo, "admin action", slog.Group("audit",
		slog.Time("time", ev.Time),
		slog.String("action", ev.Action),
		slog.String("target", ev.Target),
		slog.String("detail", ev.Detail),
		slog.String("outcome", ev.Outcome),
		slog.String("principal", ev.Principal),
		slog.String("method", ev.Method),
		slog.String("role", ev.Role),
		slog.String("remote", ev.Remote),
	))
}

// AuditRing keeps the most recent admin actions in memory, newest last,
// for the admin surface to list, and passes each to Next (the durable
// record: the log). What it keeps is lost at a restart.
type AuditRing struct {
	Next Auditor
	// Size is how many actions are kept; 0 keeps 1000.
	Size int

	mu     sync.Mutex
	events []AuditEvent
}

// Audit implements Auditor.
func (a *AuditRing) Audit(ctx context.Context, ev AuditEvent) {
	size := a.Size
	if size <= 0 {
		size = 1000
	}
	a.mu.Lock()
	if len(a.events) == size {
		copy(a.events, a.events[1:])
		a.events = a.events[:size-1]
	}
	a.events = append(a.events, ev)
	a.mu.Unlock()
	if a.Next != nil {
		a.Next.Audit(ctx, ev)
	}
}

// Recent returns the kept actions, oldest first.
func (a *AuditRing) Recent() []AuditEvent {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]AuditEvent(nil), a.events...)
}
