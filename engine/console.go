package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/engine/config"
	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/console"
	"github.com/cardflow/cardflow/engine/plan"
	"github.com/cardflow/cardflow/engine/server"
	"github.com/cardflow/cardflow/engine/store"
)

// auditTable is the flow table that keeps the audit log of operator
// actions. Its name is no HCL identifier, so no flow can declare it.
const auditTable = "cardflow:audit"

// ConsoleSource is what the operator console reads and does: the store,
// and the flows and health of an engine when one runs in this process.
type ConsoleSource struct {
	Store store.Store
	// Engine is the running engine; nil for a console over a store alone.
	Engine *Engine
	// Generation is the flows a console over a store alone shows; nil
	// shows none. Ignored when Engine is set.
	Generation *plan.Generation
	// Logger receives the audit log's lines.
	Logger *slog.Logger
}

var _ console.Source = (*ConsoleSource)(nil)

func (s *ConsoleSource) generation() *plan.Generation {
	if s.Engine != nil {
		return s.Engine.Generation()
	}
	return s.Generation
}

// Flows implements console.Source.
func (s *ConsoleSource) Flows() ([]console.Flow, console.Reload) {
	var reload console.Reload
	if e := s.Engine; e != nil {
		e.mu.Lock()
		reload = console.Reload{Generation: e.genNum.Load(), LoadedAt: e.loadedAt, RejectedAt: e.rejectedAt,
			Rejected: len(e.rejectedDiags) > 0, Diagnostics: diagnosticSummaries(e.rejectedDiags),
			Warnings: diagnosticSummaries(e.warnings)}
		e.mu.Unlock()
	}
	gen := s.generation()
	if gen == nil {
		return nil, reload
	}
	if s.Engine == nil {
		reload.Generation = 1
	}
	names := gen.Config.FlowNames()
	out := make([]console.Flow, 0, len(names))
	for _, name := range names {
		if f := gen.Flows[name]; f != nil {
			out = append(out, flowView(gen, f))
		}
	}
	return out, reload
}

// diagnosticSummaries keeps a diagnostic's summary and position only: its
// detail and snippet may quote a line with a pasted secret.
func diagnosticSummaries(diags hcl.Diagnostics) []console.Diagnostic {
	out := make([]console.Diagnostic, 0, len(diags))
	for _, d := range diags {
		sev := "error"
		if d.Severity == hcl.DiagWarning {
			sev = "warning"
		}
		pos := ""
		if d.Subject != nil {
			pos = fmt.Sprintf("%s:%d,%d", d.Subject.Filename, d.Subject.Start.Line, d.Subject.Start.Column)
		}
		out = append(out, console.Diagnostic{Severity: sev, Summary: d.Summary, Position: pos})
	}
	return out
}

func flowView(gen *plan.Generation, f *plan.Flow) console.Flow {
	src := func(r hcl.Range) string {
		b := gen.Config.Sources[r.Filename]
		if r.Start.Byte < 0 || r.End.Byte > len(b) || r.Start.Byte > r.End.Byte {
			return ""
		}
		return string(b[r.Start.Byte:r.End.Byte])
	}
	args := func(attrs hcl.Attributes) []console.Arg {
		out := make([]console.Arg, 0, len(attrs))
		for name, a := range attrs {
			out = append(out, console.Arg{Name: name, Source: src(a.Expr.Range())})
		}
		sort.Slice(out, func(i, j int) bool { return attrLine(attrs, out[i].Name) < attrLine(attrs, out[j].Name) })
		return out
	}
	d := f.Decl
	v := console.Flow{Name: f.Name, Description: d.Description, Hash: f.Hash, Enabled: f.Enabled, OnError: d.OnError,
		File: fmt.Sprintf("%s:%d", d.DeclRange.Filename, d.DeclRange.Start.Line)}
	if t := d.Trigger; t != nil {
		v.Trigger = console.Trigger{Type: t.Type, Connection: t.Connection, Filter: t.Filter, Args: args(t.Attrs)}
	}
	for _, c := range d.Cards {
		cv := console.Card{Name: c.Name, Description: c.Description, Action: c.Action, Connection: c.Connection,
			If: c.If, Args: args(c.Inputs)}
		if c.ForEach != nil {
			cv.ForEach = src(c.ForEach.Range())
		}
		switch c.OnError.Mode {
		case config.Continue:
			cv.OnError = "continue"
		case config.CallFlow:
			cv.OnError = "flow " + c.OnError.Flow
		}
		if c.Action == "flow.call" {
			if a, ok := c.Inputs["flow"]; ok {
				if val, diags := a.Expr.Value(nil); !diags.HasErrors() && val.Type() == cty.String && val.IsKnown() && !val.IsNull() {
					cv.Calls = val.AsString()
				} else {
					cv.Calls = strings.TrimPrefix(src(a.Expr.Range()), "flow.")
				}
			}
		}
		v.Cards = append(v.Cards, cv)
	}
	return v
}

func attrLine(attrs hcl.Attributes, name string) int { return attrs[name].Range.Start.Byte }

// Executions implements console.Source.
func (s *ConsoleSource) Executions(ctx context.Context, f store.Filter) ([]*store.Execution, error) {
	return s.Store.Executions(ctx, f)
}

// Execution implements console.Source.
func (s *ConsoleSource) Execution(ctx context.Context, id string) (*store.Execution, []store.JournalEntry, error) {
	ex, err := s.Store.Execution(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	journal, err := s.Store.Journal(ctx, id)
	return ex, journal, err
}

// Definition implements console.Source: the snapshot's flow files, then
// the variables' values it pinned (sensitive ones are never pinned).
func (s *ConsoleSource) Definition(ctx context.Context, hash string) ([]console.File, error) {
	snap, err := s.Store.Definition(ctx, hash)
	if err != nil {
		return nil, err
	}
	def, err := plan.ReadSnapshot(snap)
	if err != nil {
		return nil, err
	}
	srcs, vars := def.Sources, def.Vars
	out := make([]console.File, 0, len(srcs)+1)
	for _, name := range connector.SortedKeys(srcs) {
		out = append(out, console.File{Name: name, Text: string(srcs[name])})
	}
	if len(vars) > 0 {
		b, err := json.MarshalIndent(vars, "", "  ")
		if err != nil {
			return nil, err
		}
		out = append(out, console.File{Name: "variable values", Text: string(b)})
	}
	return out, nil
}

// Tables implements console.Source.
func (s *ConsoleSource) Tables() []console.Table {
	gen := s.generation()
	if gen == nil {
		return nil
	}
	names := connector.SortedKeys(gen.Config.Tables)
	out := make([]console.Table, 0, len(names))
	for _, n := range names {
		t := gen.Config.Tables[n]
		tv := console.Table{Name: t.Name, Key: t.Key}
		for _, c := range t.Columns {
			tv.Columns = append(tv.Columns, c.Name)
		}
		out = append(out, tv)
	}
	return out
}

// TableRows implements console.Source. Flow tables are small (Okta
// Workflows caps them at thousands of rows): a scan from the start is
// cheap enough.
func (s *ConsoleSource) TableRows(ctx context.Context, table, prefix, after string, n int) ([]console.Row, error) {
	var out []console.Row
	err := s.Store.TableScan(ctx, table, func(key string, row []byte) bool {
		if key <= after || !strings.HasPrefix(key, prefix) {
			return true
		}
		out = append(out, console.Row{Key: key, JSON: append([]byte(nil), row...)})
		return len(out) < n
	})
	return out, err
}

// Health implements console.Source.
func (s *ConsoleSource) Health(ctx context.Context) console.Health {
	h := console.Health{Status: "ok", Store: "ok"}
	h.Parked = s.waiting(ctx)
	if e := s.Engine; e != nil {
		h.Inbox, h.Running = e.intake.Depth(), e.pool.Running()
		e.mu.Lock()
		if len(e.rejectedDiags) > 0 {
			h.Status = "degraded: the last reload was refused"
		}
		e.mu.Unlock()
		// The store's state as /healthz reports it: a lost store, or one
		// whose writes fail, is not "ok" here either.
		now := time.Now()
		if v := e.storeHealth.view(now); v["status"] != "ok" {
			h.Store = fmt.Sprintf("%s: %s", v["status"], v["error"])
		}
		switch {
		case e.storeHealth.refusing(now) != nil:
			h.Status = "unavailable: events are refused with 503 (the store says why)"
		case e.storeHealth.unavailable(now) != nil:
			h.Status = "unavailable: /healthz answers 503 while the store cannot be reached (the store says why)"
		}
		return h
	}
	n, err := s.Store.Depth(ctx)
	if err != nil {
		h.Store = "unreadable: " + err.Error()
	}
	h.Inbox = n
	h.Status = "no engine runs in this process (cardflow console)"
	return h
}

// waiting counts the executions parked until a wake-up time; -1 when the
// store cannot say.
func (s *ConsoleSource) waiting(ctx context.Context) int {
	exs, err := s.Store.Executions(ctx, store.Filter{Status: store.Waiting, Limit: console.MaxParkedCount})
	if err != nil {
		return -1
	}
	return len(exs)
}

// Activity implements console.Source.
func (s *ConsoleSource) Activity(ctx context.Context, since time.Time, step time.Duration) ([]store.ActivityCount, error) {
	ar, ok := s.Store.(store.ActivityReader)
	if !ok {
		return nil, nil
	}
	return ar.Activity(ctx, since, step)
}

// Replay implements console.Source.
func (s *ConsoleSource) Replay(ctx context.Context, id, fromCard string, force bool) error {
	if s.Engine != nil {
		// Refused up front, as the admin API refuses it, rather than
		// queued to fail.
		ex, err := s.Store.Execution(ctx, id)
		if err == nil && ex.Status.Final() && (ex.Status.ReplaysUnforced() || force) {
			if reason, err := s.Engine.CanReplay(ctx, ex); err == nil && reason != "" {
				return &console.Refusal{Reason: fmt.Sprintf("execution %s is not replayed: %s", id, reason)}
			}
		}
	}
	_, err := store.Replay(ctx, s.Store, id, store.ReplayOptions{FromCard: fromCard, Force: force})
	if err == nil && s.Engine != nil {
		s.Engine.pool.Wake()
	}
	return err
}

// Cancel implements console.Source.
func (s *ConsoleSource) Cancel(ctx context.Context, id, who, reason string) error {
	err := s.Store.Cancel(ctx, id, store.CancelReason(who, reason))
	if err == nil && s.Engine != nil {
		if ex, rerr := s.Store.Execution(ctx, id); rerr == nil {
			s.Engine.ExecutionCanceled(ex.Flow)
		}
	}
	return err
}

// Wake implements console.Source.
func (s *ConsoleSource) Wake(ctx context.Context, id string) error {
	_, err := store.Wake(ctx, s.Store, id)
	if err == nil && s.Engine != nil {
		s.Engine.ExecutionWoken()
	}
	return err
}

// auditKey sorts newest first: the time's distance to the end of time.
func auditKey(t time.Time) string {
	return fmt.Sprintf("%019d", math.MaxInt64-t.UnixNano())
}

// auditRow is an audit table row.
type auditRow struct {
	At      time.Time `json:"at"`
	Who     string    `json:"who"`
	Method  string    `json:"method,omitempty"`
	Role    string    `json:"role,omitempty"`
	Action  string    `json:"action"`
	Target  string    `json:"target"`
	Detail  string    `json:"detail,omitempty"`
	Outcome string    `json:"outcome"`
	Remote  string    `json:"remote,omitempty"`
}

// Auditor records operator actions, from the admin API and the console
// alike: a row of the store's audit table, which the console lists, and a
// log line (server.LogAuditor) for log pipelines.
type Auditor struct {
	Store  store.Tables
	Logger *slog.Logger
}

var _ server.Auditor = Auditor{}

// Audit implements server.Auditor. A row that cannot be written is logged
// as an error; the action itself stands.
func (a Auditor) Audit(ctx context.Context, ev server.AuditEvent) {
	ev.Detail, ev.Outcome = clipAudit(ev.Detail), clipAudit(ev.Outcome)
	server.LogAuditor{Logger: a.Logger}.Audit(ctx, ev)
	row, err := json.Marshal(auditRow{At: ev.Time.UTC(), Who: ev.Principal, Method: ev.Method, Role: ev.Role, Action: ev.Action,
		Target: ev.Target, Detail: ev.Detail, Outcome: ev.Outcome, Remote: ev.Remote})
	if err == nil {
		err = a.Store.TablePut(context.WithoutCancel(ctx), auditTable, auditKey(ev.Time)+"-"+ev.Target, row)
	}
	if err != nil && a.Logger != nil {
		a.Logger.Error("writing the audit log failed", "err", err, "action", ev.Action, "target", ev.Target, "principal", ev.Principal)
	}
}

// maxAuditText bounds an audit entry's detail and outcome, in
// characters: a refused request keeps what it asked for (a cancel's
// reason), which may be as long as the request body was.
const maxAuditText = store.MaxCancelReason

// clipAudit is s cut to maxAuditText characters, saying how long it was.
func clipAudit(s string) string {
	n := utf8.RuneCountInString(s)
	if n <= maxAuditText {
		return s
	}
	cut := 0
	for i := range s {
		if cut == maxAuditText {
			return s[:i] + fmt.Sprintf("… (%d characters in all)", n)
		}
		cut++
	}
	return s
}

// Audit implements console.Source.
func (s *ConsoleSource) Audit(ctx context.Context, e console.AuditEntry) error {
	Auditor{Store: s.Store, Logger: s.Logger}.Audit(ctx, server.AuditEvent{Time: e.At, Principal: e.Who, Method: "console",
		Role: e.Role, Action: e.Action, Target: e.Target, Detail: e.Detail, Outcome: e.Outcome, Remote: e.Remote})
	return nil
}

// AuditLog implements console.Source: n entries, newest first, older
// than the one keyed before if it is set. Keys sort newest first, so the
// entries before one are the keys after it; the scan skips to them (the
// log is operator actions, few enough to scan).
func (s *ConsoleSource) AuditLog(ctx context.Context, before string, n int) ([]console.AuditEntry, error) {
	var (
		out     []console.AuditEntry
		scanErr error
	)
	err := s.Store.TableScan(ctx, auditTable, func(key string, row []byte) bool {
		if before != "" && key <= before {
			return true
		}
		var e auditRow
		if scanErr = json.Unmarshal(row, &e); scanErr != nil {
			return false
		}
		out = append(out, console.AuditEntry{At: e.At, Who: e.Who, Role: e.Role, Action: e.Action, Target: e.Target,
			Detail: e.Detail, Outcome: e.Outcome, Remote: e.Remote, Key: key})
		return len(out) < n
	})
	return out, errors.Join(err, scanErr)
}
