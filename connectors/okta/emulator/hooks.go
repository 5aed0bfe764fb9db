package emulator

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/cardflow/cardflow/connectors/okta/eventtypes"
)

// hookTimeout is Okta's event-hook timeout, for verification and delivery.
const hookTimeout = 3 * time.Second

// EventHook describes an event hook for RegisterEventHook.
type EventHook struct {
	Name string
	// URI receives the verification GET and the delivery POSTs.
	URI string
	// AuthHeader is the header that carries Secret; default "Authorization".
	AuthHeader string
	Secret     string
	EventTypes []string
	// SkipVerification marks the hook VERIFIED without sending the
	// verification GET, for receivers that are not listening yet.
	SkipVerification bool
}

type hookHeader struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

type hookAuthScheme struct {
	Type  string `json:"type"`
	Key   string `json:"key"`
	Value string `json:"value,omitempty"`
}

// hookJSON is the EventHook object of the Management API.
type hookJSON struct {
	ID                 string `json:"id,omitempty"`
	Status             string `json:"status,omitempty"`
	VerificationStatus string `json:"verificationStatus,omitempty"`
	Name               string `json:"name"`
	Created            *Time  `json:"created,omitempty"`
	CreatedBy          string `json:"createdBy,omitempty"`
	LastUpdated        *Time  `json:"lastUpdated,omitempty"`
	Events             struct {
		Type  string   `json:"type"`
		Items []string `json:"items"`
	} `json:"events"`
	Channel struct {
		Type    string `json:"type"`
		Version string `json:"version"`
		Config  struct {
			URI        string          `json:"uri"`
			Headers    []hookHeader    `json:"headers"`
			AuthScheme *hookAuthScheme `json:"authScheme,omitempty"`
			Method     string          `json:"method,omitempty"`
		} `json:"config"`
	} `json:"channel"`
	Links map[string]any `json:"_links,omitempty"`
}

type hookRec struct {
	seq                  int64
	def                  hookJSON // as stored, authScheme value included
	created, lastUpdated time.Time
}

func (h *hookRec) export(base string) hookJSON {
	out := h.def
	// Copies: the answer is encoded after the lock is released, while a
	// verification may move lastUpdated.
	out.Created, out.LastUpdated = &Time{h.created}, &Time{h.lastUpdated}
	out.CreatedBy = adminActor.ID
	out.Channel.Config.Method = "POST"
	out.Channel.Config.Headers = append([]hookHeader{}, h.def.Channel.Config.Headers...)
	if as := h.def.Channel.Config.AuthScheme; as != nil {
		// authScheme.value is write-only in Okta.
		out.Channel.Config.AuthScheme = &hookAuthScheme{Type: as.Type, Key: as.Key}
	}
	self := base + "/api/v1/eventHooks/" + h.def.ID
	out.Links = map[string]any{
		"self":       map[string]any{"href": self},
		"verify":     map[string]any{"href": self + "/lifecycle/verify", "hints": map[string]any{"allow": []string{"POST"}}},
		"deactivate": map[string]any{"href": self + "/lifecycle/deactivate", "hints": map[string]any{"allow": []string{"POST"}}},
	}
	return out
}

func (h *hookRec) target() LogActor {
	return LogActor{ID: h.def.ID, Type: "EventHook", AlternateID: h.def.Name, DisplayName: h.def.Name}
}

func validateHook(d *hookJSON) *apiError {
	switch {
	case strings.TrimSpace(d.Name) == "":
		return validation("name", "The field cannot be left blank")
	case d.Channel.Config.URI == "":
		return validation("channel.config.uri", "The field cannot be left blank")
	case len(d.Events.Items) == 0:
		return validation("events.items", "The field cannot be left blank")
	case d.Events.Type != "" && d.Events.Type != "EVENT_TYPE":
		return validation("events.type", "Only EVENT_TYPE is supported")
	case d.Channel.Type != "" && d.Channel.Type != "HTTP":
		return validation("channel.type", "Only HTTP is supported")
	case d.Channel.Version != "" && d.Channel.Version != "1.0.0":
		return validation("channel.version", "Only version 1.0.0 is supported")
	}
	for _, t := range d.Events.Items {
		if !eventtypes.HookEligible(t) {
			return validation("events.items", fmt.Sprintf("Event type %q is not eligible for event hooks or does not exist", t))
		}
	}
	return nil
}

// createHookLocked stores a hook: ACTIVE and UNVERIFIED, as Okta creates it.
func (e *Emulator) createHookLocked(c *callCtx, d hookJSON) (*hookRec, *apiError) {
	if ae := validateHook(&d); ae != nil {
		return nil, ae
	}
	d.ID, d.Status, d.VerificationStatus = e.ids.next("who"), "ACTIVE", "UNVERIFIED"
	d.Events.Type, d.Channel.Type, d.Channel.Version = "EVENT_TYPE", "HTTP", "1.0.0"
	now := e.stamp()
	h := &hookRec{seq: e.nextSeq(), def: d, created: now, lastUpdated: now}
	e.hooks[d.ID] = h
	e.hookOrder = append(e.hookOrder, h)
	e.emitLocked(c, "event_hook.created", h.target())
	return h, nil
}

func (e *Emulator) hookLocked(id string) (*hookRec, *apiError) {
	if h, ok := e.hooks[id]; ok {
		return h, nil
	}
	return nil, notFound(id, "EventHook")
}

func (e *Emulator) handleCreateHook(w http.ResponseWriter, r *http.Request) {
	c := e.httpCall(w, r)
	var d hookJSON
	if ae := decodeBody(r, &d); ae != nil {
		e.writeError(w, ae)
		return
	}
	e.mu.Lock()
	h, ae := e.createHookLocked(c, d)
	var out hookJSON
	if h != nil {
		out = h.export(c.base)
	}
	e.mu.Unlock()
	e.reply(w, out, ae)
}

func (e *Emulator) reply(w http.ResponseWriter, v any, ae *apiError) {
	if ae != nil {
		e.writeError(w, ae)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (e *Emulator) handleListHooks(w http.ResponseWriter, r *http.Request) {
	c := e.httpCall(w, r)
	e.mu.Lock()
	out := make([]hookJSON, 0, len(e.hookOrder))
	for _, h := range e.hookOrder {
		out = append(out, h.export(c.base))
	}
	e.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

func (e *Emulator) handleGetHook(w http.ResponseWriter, r *http.Request) {
	c := e.httpCall(w, r)
	e.mu.Lock()
	h, ae := e.hookLocked(r.PathValue("hid"))
	var out hookJSON
	if h != nil {
		out = h.export(c.base)
	}
	e.mu.Unlock()
	e.reply(w, out, ae)
}

// handleUpdateHook replaces name, events and channel; a new URI needs a new
// verification.
func (e *Emulator) handleUpdateHook(w http.ResponseWriter, r *http.Request) {
	c := e.httpCall(w, r)
	var d hookJSON
	if ae := decodeBody(r, &d); ae != nil {
		e.writeError(w, ae)
		return
	}
	e.mu.Lock()
	h, ae := e.hookLocked(r.PathValue("hid"))
	if ae == nil {
		ae = validateHook(&d)
	}
	var out hookJSON
	if ae == nil {
		old := h.def
		d.ID, d.Status, d.VerificationStatus = old.ID, old.Status, old.VerificationStatus
		d.Events.Type, d.Channel.Type, d.Channel.Version = "EVENT_TYPE", "HTTP", "1.0.0"
		if d.Channel.Config.URI != old.Channel.Config.URI {
			d.VerificationStatus = "UNVERIFIED"
		}
		h.def, h.lastUpdated = d, e.stamp()
		out = h.export(c.base)
	}
	e.mu.Unlock()
	e.reply(w, out, ae)
}

// handleDeleteHook deletes an INACTIVE hook; Okta refuses active ones.
func (e *Emulator) handleDeleteHook(w http.ResponseWriter, r *http.Request) {
	c := e.httpCall(w, r)
	e.mu.Lock()
	h, ae := e.hookLocked(r.PathValue("hid"))
	if ae == nil && h.def.Status == "ACTIVE" {
		ae = validation("status", "Event hook must be deactivated before it can be deleted")
	}
	if ae == nil {
		delete(e.hooks, h.def.ID)
		e.hookOrder = removeRec(e.hookOrder, h)
		e.emitLocked(c, "event_hook.deleted", h.target())
	}
	e.mu.Unlock()
	if ae != nil {
		e.writeError(w, ae)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (e *Emulator) handleHookLifecycle(w http.ResponseWriter, r *http.Request) {
	c := e.httpCall(w, r)
	id, op := r.PathValue("hid"), r.PathValue("op")
	if op == "verify" {
		out, ae := e.verifyHook(r.Context(), c, id)
		e.reply(w, out, ae)
		return
	}
	to := map[string]string{"activate": "ACTIVE", "deactivate": "INACTIVE"}[op]
	if to == "" {
		e.writeError(w, errNoResource)
		return
	}
	e.mu.Lock()
	h, ae := e.hookLocked(id)
	var out hookJSON
	if ae == nil {
		if h.def.Status != to {
			h.def.Status, h.lastUpdated = to, e.stamp()
			e.emitLocked(c, "event_hook."+op+"d", h.target())
		}
		out = h.export(c.base)
	}
	e.mu.Unlock()
	e.reply(w, out, ae)
}

// verifyHook sends the one-time verification GET. The hook becomes VERIFIED
// only if the endpoint answers 200 with {"verification": <challenge>}.
func (e *Emulator) verifyHook(ctx context.Context, c *callCtx, id string) (hookJSON, *apiError) {
	e.mu.Lock()
	h, ae := e.hookLocked(id)
	var def hookJSON
	if h != nil {
		def = h.def
	}
	e.mu.Unlock()
	if ae != nil {
		return hookJSON{}, ae
	}
	challenge := e.ids.random(43)
	if err := e.sendVerification(ctx, def, challenge); err != nil {
		return hookJSON{}, validation("verificationStatus", "Verification of the event hook endpoint failed: "+err.Error())
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if h, ae = e.hookLocked(id); ae != nil {
		return hookJSON{}, ae
	}
	h.def.VerificationStatus, h.lastUpdated = "VERIFIED", e.stamp()
	e.emitLocked(c, "event_hook.verified", h.target())
	return h.export(c.base), nil
}

func (e *Emulator) sendVerification(ctx context.Context, def hookJSON, challenge string) error {
	ctx, cancel := context.WithTimeout(ctx, hookTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, def.Channel.Config.URI, nil)
	if err != nil {
		return err
	}
	setHookHeaders(req.Header, def)
	req.Header.Set("X-Okta-Verification-Challenge", challenge)
	resp, err := e.hookClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("endpoint answered %s", resp.Status)
	}
	var body struct {
		Verification string `json:"verification"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&body); err != nil {
		return fmt.Errorf("endpoint answer is not JSON: %w", err)
	}
	if body.Verification != challenge {
		return fmt.Errorf("endpoint answered verification %q, want the challenge", body.Verification)
	}
	return nil
}

func setHookHeaders(h http.Header, def hookJSON) {
	h.Set("Accept", "application/json")
	h.Set("User-Agent", "Okta Event Hooks (cardflow emulator)")
	for _, kv := range def.Channel.Config.Headers {
		h.Set(kv.Key, kv.Value)
	}
	if as := def.Channel.Config.AuthScheme; as != nil && as.Key != "" {
		h.Set(as.Key, as.Value)
	}
}

// RegisterEventHook creates an active hook as POST /api/v1/eventHooks does
// and verifies it (unless h.SkipVerification). If verification fails the
// hook stays UNVERIFIED, receives nothing, and the id is returned with the
// error so VerifyEventHook can be retried.
func (e *Emulator) RegisterEventHook(h EventHook) (string, error) {
	var d hookJSON
	d.Name = h.Name
	d.Events.Items = slices.Clone(h.EventTypes)
	d.Channel.Config.URI = h.URI
	key := h.AuthHeader
	if key == "" {
		key = "Authorization"
	}
	if h.Secret != "" {
		d.Channel.Config.AuthScheme = &hookAuthScheme{Type: "HEADER", Key: key, Value: h.Secret}
	}
	c := e.directCall("/api/v1/eventHooks")
	e.mu.Lock()
	rec, ae := e.createHookLocked(c, d)
	if ae == nil && h.SkipVerification {
		rec.def.VerificationStatus = "VERIFIED"
	}
	e.mu.Unlock()
	if ae != nil {
		return "", ae
	}
	if h.SkipVerification {
		return rec.def.ID, nil
	}
	return rec.def.ID, e.VerifyEventHook(rec.def.ID)
}

// VerifyEventHook runs the verification of POST .../lifecycle/verify.
func (e *Emulator) VerifyEventHook(id string) error {
	c := e.directCall("/api/v1/eventHooks/" + id + "/lifecycle/verify")
	if _, ae := e.verifyHook(e.ctx, c, id); ae != nil {
		return ae
	}
	return nil
}

// DuplicateNextDelivery makes the next event-hook delivery go out twice,
// with the same eventId, as Okta's at-least-once delivery may.
func (e *Emulator) DuplicateNextDelivery() {
	e.mu.Lock()
	e.dupNext = true
	e.mu.Unlock()
}
