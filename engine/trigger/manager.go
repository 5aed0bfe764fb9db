package trigger

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"sync"
	"time"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/plan"
	"github.com/cardflow/cardflow/engine/store"
)

// DefaultEvery is the poll interval of triggers that set none, as Okta
// Workflows polls.
const DefaultEvery = 5 * time.Minute

// Clients provisions connection clients.
type Clients interface {
	Get(conn *plan.Connection) (connector.Client, error)
}

// Observer is told when a poller emits events.
type Observer interface {
	Emitted(flow string, n int, newest time.Time)
	PollFailed(flow string, err error)
}

// Manager runs the polled and scheduled triggers of the active generation.
// What they emit goes through the Intake, with their cursors.
type Manager struct {
	// Store keeps the leases that let one replica poll a flow, and the
	// pollers' cursors, which the Intake writes with their events.
	Store interface {
		store.Inbox
		store.Leases
	}
	Intake  *Intake
	Clients Clients
	Logger  *slog.Logger
	Owner   string
	// Observer is told what the pollers emitted and when they failed.
	Observer Observer
	Now      func() time.Time

	mu      sync.Mutex
	pollers map[string]*poller // by flow name
}

type poller struct {
	key    string // identity of the trigger's settings
	cancel context.CancelFunc
	done   chan struct{}
}

func leaseName(flow string) string { return "poller/" + flow }

// CursorKey is where a flow's trigger keeps its cursor.
func CursorKey(flow string) string { return "trigger/" + flow }

// Sync makes the running pollers those of gen: new ones start, removed ones
// stop, changed ones restart (keeping their cursor), unchanged ones go on.
// The pollers run under ctx.
func (m *Manager) Sync(ctx context.Context, gen *plan.Generation) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.pollers == nil {
		m.pollers = map[string]*poller{}
	}
	want := map[string]*plan.Flow{}
	for name, f := range gen.Flows {
		if f.Enabled && f.Trigger != nil && isPolled(f.Trigger.Spec) {
			want[name] = f
		}
	}
	for name, p := range m.pollers {
		f, ok := want[name]
		if ok && p.key == triggerKey(f) {
			delete(want, name)
			continue
		}
		p.stop()
		delete(m.pollers, name)
		m.log().Info("trigger stopped", "flow", name)
	}
	for name, f := range want {
		pctx, cancel := context.WithCancel(ctx)
		p := &poller{key: triggerKey(f), cancel: cancel, done: make(chan struct{})}
		m.pollers[name] = p
		go func() {
			defer close(p.done)
			m.run(pctx, f)
		}()
		m.log().Info("trigger started", "flow", name, "trigger", f.Trigger.Type, "every", every(f).String())
	}
}

// isPolled reports whether the manager runs t: polled and scheduled
// triggers are both ticked through their Poll.
func isPolled(t *connector.Trigger) bool {
	return (t.Mode == connector.Poll || t.Mode == connector.Schedule) && t.Poll != nil
}

// Stop stops every poller and waits for them.
func (m *Manager) Stop() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for name, p := range m.pollers {
		p.stop()
		delete(m.pollers, name)
	}
}

func (p *poller) stop() {
	p.cancel()
	<-p.done
}

func (m *Manager) log() *slog.Logger {
	if m.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return m.Logger
}

// triggerKey identifies what a poller does: its type, settings and
// connection. The flow's cards may change without restarting it.
func triggerKey(f *plan.Flow) string {
	t := f.Trigger
	h := sha256.New()
	h.Write([]byte(t.Type))
	if plain, _ := t.Config.UnmarkDeep(); plain.IsWhollyKnown() {
		if g, err := connector.ToGo(plain); err == nil {
			b, _ := json.Marshal(g)
			h.Write(b)
		}
	}
	h.Write([]byte(every(f).String()))
	if c, ok := f.Gen.Connections[t.Connection]; ok {
		h.Write([]byte(c.Hash))
	}
	return hex.EncodeToString(h.Sum(nil))
}

func every(f *plan.Flow) time.Duration {
	if f.Trigger.Every > 0 {
		return f.Trigger.Every
	}
	if f.Trigger.Spec.DefaultEvery > 0 {
		return f.Trigger.Spec.DefaultEvery
	}
	return DefaultEvery
}

// run polls until ctx is done: once at start, then every interval.
func (m *Manager) run(ctx context.Context, f *plan.Flow) {
	interval := every(f)
	t := time.NewTimer(0)
	defer t.Stop()
	// Give the lease up on the way out so that another replica takes over
	// at once instead of after the lease's TTL.
	defer func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := m.Store.ReleaseLease(rctx, leaseName(f.Name), m.Owner); err != nil {
			m.log().Warn("releasing the poller lease failed", "flow", f.Name, "err", err)
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		m.tick(ctx, f, interval)
		t.Reset(interval)
	}
}

func (m *Manager) tick(ctx context.Context, f *plan.Flow, interval time.Duration) {
	log := m.log().With("flow", f.Name, "trigger", f.Trigger.Type)
	// Only one replica polls a flow at a time.
	ttl := max(3*interval, 15*time.Second)
	ok, err := m.Store.AcquireLease(ctx, leaseName(f.Name), m.Owner, ttl)
	if err != nil || !ok {
		if err != nil && ctx.Err() == nil {
			log.Error("poller lease failed", "err", err)
		}
		return
	}
	var client connector.Client
	if f.Trigger.Connection != "" {
		client, err = m.Clients.Get(f.Gen.Connections[f.Trigger.Connection])
		if err != nil {
			log.Error("opening the connection failed", "err", err)
			return
		}
	}
	cursor, err := m.Store.Cursor(ctx, CursorKey(f.Name))
	if err != nil {
		log.Error("reading the cursor failed", "err", err)
		return
	}
	now := m.Now
	if now == nil {
		now = time.Now
	}
	cfg, _ := f.Trigger.Config.UnmarkDeep()
	req := &connector.PollRequest{
		Client: client,
		Config: cfg,
		Cursor: cursor,
		Now:    now,
		Emit: func(ctx context.Context, events []connector.Event, next []byte) error {
			return m.emit(ctx, f, events, next)
		},
	}
	if err := f.Trigger.Spec.Poll(ctx, req); err != nil && ctx.Err() == nil {
		log.Warn("poll failed; retrying at the next tick", "err", err.Error(), "kind", connector.KindOf(err).String())
		if m.Observer != nil {
			m.Observer.PollFailed(f.Name, err)
		}
	}
}

func (m *Manager) emit(ctx context.Context, f *plan.Flow, events []connector.Event, cursor []byte) error {
	if _, err := m.Intake.Poll(ctx, f, events, CursorKey(f.Name), cursor); err != nil {
		return err
	}
	if len(events) > 0 && m.Observer != nil {
		var newest time.Time
		for _, ev := range events {
			if ev.Time.After(newest) {
				newest = ev.Time
			}
		}
		m.Observer.Emitted(f.Name, len(events), newest)
	}
	return nil
}
