package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/cardflow/cardflow/engine/config"
	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/lang"
	"github.com/cardflow/cardflow/engine/plan"
	"github.com/cardflow/cardflow/engine/server"
	"github.com/cardflow/cardflow/engine/store"
)

// What a definition hash pins, and why:
//
//   - the flow's block, the blocks of the connections and tables it uses and
//     the non-sensitive variable values: these are in the stored snapshot,
//     so a pinned execution runs on them whatever the files say now;
//   - the arguments of its connections that name a tenant or instance
//     (connector.Attribute.Pins: Okta's org_url, ServiceNow's instance_url).
//     They come from the environment, are not stored, and an execution that
//     began in one tenant holds ids of that tenant: it is not resumed or
//     replayed against another, and says so.
//
// Secrets (tokens, passwords, hook and client secrets, sensitive variables)
// pin nothing: rotating one, the usual fix of executions that failed with
// 401, must leave them resumable and replayable. Nor do timeouts, rate
// limits or the names of credentials (client ids, usernames).

// ErrCannotRun marks the errors of CheckReplay and Resolve that say why an
// execution cannot run on the definition it is pinned to.
var ErrCannotRun = errors.New("the execution cannot run on its definition")

// cannotRun is an ErrCannotRun with its reason.
type cannotRun struct{ reason string }

func (e *cannotRun) Error() string        { return e.reason }
func (e *cannotRun) Is(target error) bool { return target == ErrCannotRun }

func cannotRunf(format string, args ...any) error {
	return &cannotRun{reason: fmt.Sprintf(format, args...)}
}

// legacyAliasKey is the key under which the store maps a definition hash
// of an earlier version of cardflow (plan.LegacyHash) to the current hash
// of the same definition.
func legacyAliasKey(hash string) string { return "legacy:" + hash }

// definitions is what reproducing a stored definition reads and writes.
type definitions interface {
	PutDefinition(ctx context.Context, hash string, source []byte) error
	Definition(ctx context.Context, hash string) ([]byte, error)
}

// reproducer compiles stored definitions again, as the engine that runs
// them (lang.Live) or as a command that only checks them (lang.Check: an
// unset env() leaves a pin unknown, which is not held against it).
type reproducer struct {
	defs     definitions
	registry *connector.Registry
	vars     lang.VarValues
	host     lang.Host
	mode     lang.Mode
}

// reproduce returns flow as the definition stored under hash compiles now,
// or an ErrCannotRun saying why it may not run.
func (r *reproducer) reproduce(ctx context.Context, flow, hash string) (*plan.Flow, error) {
	snap, err := r.snapshot(ctx, flow, hash)
	if err != nil {
		return nil, err
	}
	f, err := r.compile(snap, flow, hash)
	if err != nil {
		return nil, err
	}
	if snap.Pins == nil {
		return r.legacy(ctx, snap, f, hash)
	}
	if f.Hash == hash {
		return f, nil
	}
	changed, unknown := changedPins(snap.Pins, f)
	switch {
	case len(changed) > 0:
		return nil, pinsChanged(hash, flow, changed)
	case unknown && r.mode == lang.Check:
		return f, nil // cardflow run checks the pins it cannot see here
	}
	return nil, cannotRunf("definition %s of flow %s cannot run: this version of cardflow compiles it differently (definition %s)",
		hash, flow, f.Hash)
}

func pinsChanged(hash, flow string, changed []string) error {
	return cannotRunf("definition %s of flow %s cannot run: %s changed since the execution started, so it would "+
		"resume in another tenant or instance than the one it began in; set it back to run this execution",
		hash, flow, strings.Join(changed, " and "))
}

func (r *reproducer) snapshot(ctx context.Context, flow, hash string) (*plan.Snapshot, error) {
	b, err := r.defs.Definition(ctx, hash)
	if errors.Is(err, store.ErrNotFound) {
		return nil, cannotRunf("definition %s of flow %s is not in the store", hash, flow)
	}
	if err != nil {
		return nil, fmt.Errorf("definition %s of flow %s: %w", hash, flow, err)
	}
	snap, err := plan.ReadSnapshot(b)
	if err != nil {
		return nil, cannotRunf("definition %s of flow %s cannot be read: %v", hash, flow, err)
	}
	return snap, nil
}

// compile compiles a snapshot with its pinned variable values.
func (r *reproducer) compile(snap *plan.Snapshot, flow, hash string) (*plan.Flow, error) {
	cfg, diags := config.LoadSources(snap.Sources, r.registry)
	if diags.HasErrors() {
		return nil, cannotRunf("definition %s of flow %s no longer loads: %s", hash, flow, diags.Error())
	}
	gen, diags := plan.Compile(cfg, plan.Options{Registry: r.registry, Vars: r.vars, Mode: r.mode, Host: r.host, Pinned: snap.Vars})
	if diags.HasErrors() {
		return nil, cannotRunf("definition %s of flow %s no longer compiles: %s", hash, flow, diags.Error())
	}
	f, ok := gen.Flows[flow]
	if !ok {
		return nil, cannotRunf("definition %s has no flow %s", hash, flow)
	}
	return f, nil
}

// legacy accepts a definition an earlier version of cardflow pinned, whose
// hash covered the connections' secrets too: when a start of this version
// recorded which definition it is now (legacyAliasKey), or when the
// settings, secrets included, are still the ones it started with.
func (r *reproducer) legacy(ctx context.Context, snap *plan.Snapshot, f *plan.Flow, hash string) (*plan.Flow, error) {
	if b, err := r.defs.Definition(ctx, legacyAliasKey(hash)); err == nil {
		if string(b) == f.Hash {
			return f, nil
		}
		// The definition it was recorded as says what changed since.
		if now, err := r.snapshot(ctx, f.Name, string(b)); err == nil && now.Pins != nil {
			if changed, _ := changedPins(now.Pins, f); len(changed) > 0 {
				return nil, pinsChanged(hash, f.Name, changed)
			}
		}
	}
	known := true
	for _, addr := range f.ConnectionAddrs() {
		if c := f.Gen.Connections[addr]; c == nil || !c.Config.IsWhollyKnown() {
			known = false
		}
	}
	switch {
	case known && plan.LegacyHash(f) == hash:
		if r.mode == lang.Live {
			_ = r.defs.PutDefinition(ctx, legacyAliasKey(hash), []byte(f.Hash))
		}
		return f, nil
	case !known && r.mode == lang.Check:
		return f, nil // cardflow run checks it with the settings it has
	}
	return nil, cannotRunf("definition %s of flow %s cannot run: it was pinned by an earlier version of cardflow, whose "+
		"definition hashes covered the connections' secrets, and the connections' settings differ from the ones it started "+
		"with (a rotated secret or another tenant: that version recorded nothing to tell which). Restore the settings it "+
		"started with to run it, or start the event again as a new execution", hash, f.Name)
}

// changedPins names the pinning arguments of f's connections whose values
// differ from the digests a snapshot recorded ("connection okta.main's
// org_url"), and reports whether some could not be compared (unknown).
func changedPins(recorded map[string]map[string]string, f *plan.Flow) (changed []string, unknown bool) {
	for _, addr := range f.ConnectionAddrs() {
		c := f.Gen.Connections[addr]
		if c == nil {
			continue
		}
		was := recorded[addr]
		for _, name := range connector.SortedKeys(c.Pins) {
			now := c.Pins[name]
			switch {
			case now == "" || was[name] == "":
				unknown = true
			case now != was[name]:
				changed = append(changed, fmt.Sprintf("connection %s's %s", addr, name))
			}
		}
	}
	return changed, unknown
}

// recordLegacyAliases maps the hashes an earlier version of cardflow gave
// the flows of gen to their current ones, for executions that version
// pinned. It runs on every activation, so that a start of this version
// with the settings the earlier one ran with records them before a secret
// is rotated; only hashes the store holds a definition for are mapped.
func (e *Engine) recordLegacyAliases(ctx context.Context, gen *plan.Generation) {
	for _, f := range gen.Flows {
		legacy := plan.LegacyHash(f)
		if legacy == f.Hash {
			continue
		}
		if _, err := e.opts.Store.Definition(ctx, legacy); err != nil {
			continue
		}
		if err := e.opts.Store.PutDefinition(ctx, legacyAliasKey(legacy), []byte(f.Hash)); err != nil {
			e.log.Warn("recording the definition hash of an earlier version failed", "flow", f.Name, "definition", legacy, "err", err)
			continue
		}
		e.mu.Lock()
		e.pinned[legacy] = f
		e.mu.Unlock()
	}
}

// CheckOptions configure CheckReplay.
type CheckOptions struct {
	Registry *connector.Registry
	Vars     lang.VarValues
	Host     lang.Host
}

// CheckReplay reports whether ex, once reopened, could run on the
// definition it is pinned to, as far as this process can tell: that the
// definition is stored and still compiles, and that the tenants and
// instances its connections reach, where this process's environment names
// them, are the ones it started with. The error wraps ErrCannotRun when
// it cannot.
func CheckReplay(ctx context.Context, st store.Store, opts CheckOptions, ex *store.Execution) error {
	if ex.DefinitionHash == "" {
		return nil // never pinned: it runs on the definition loaded then
	}
	r := &reproducer{defs: st, registry: opts.Registry, vars: opts.Vars, host: opts.Host, mode: lang.Check}
	f, err := r.reproduce(ctx, ex.Flow, ex.DefinitionHash)
	if err != nil {
		return err
	}
	return unstored(f, ex)
}

// unstored is the ErrCannotRun of an execution whose stored event lacks a
// sensitive field's value (plan.Trigger.Unstored): run again, it would
// fail before its first card.
func unstored(f *plan.Flow, ex *store.Execution) error {
	if name := f.Trigger.Unstored(ex.Payload); name != "" {
		return cannotRunf("%s", plan.UnstoredReason(name))
	}
	return nil
}

// CanReplay implements server.ReplayChecker: whether ex can run on its
// definition in this process, with its settings, and if not, why.
func (e *Engine) CanReplay(ctx context.Context, ex *store.Execution) (string, error) {
	f, err := e.Resolve(ctx, ex.Flow, ex.DefinitionHash)
	if err == nil {
		err = unstored(f, ex)
	}
	if errors.Is(err, ErrCannotRun) {
		return err.Error(), nil
	}
	return "", err
}

var _ server.ReplayChecker = (*Engine)(nil)
