package okta

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/okta/okta-sdk-golang/v2/okta"
	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/engine/connector"
)

// An Okta event hook delivers only the event types it subscribes to, and
// a flow on a type the hook lacks never starts. With manage_event_hook the
// connection owns one hook, named cardflow-<connection>, and keeps its
// subscription equal to the event types the loaded flows use; without it,
// cardflow reads the hooks and warns, once per missing set, when the hook
// that points at this connection lacks a type (hookcheck.go).

// HookName is the name of the event hook cardflow manages for connection.
func HookName(connection string) string { return "cardflow-" + connection }

// HookStatus describes a connection's event hook in Okta.
type HookStatus struct {
	Connection   string   `json:"connection"`
	Managed      bool     `json:"managed"`
	Found        bool     `json:"found"`
	ID           string   `json:"id,omitempty"`
	Name         string   `json:"name"`
	Status       string   `json:"status,omitempty"`
	Verification string   `json:"verification_status,omitempty"`
	URI          string   `json:"uri,omitempty"`
	Subscribed   []string `json:"subscribed"`
	Needed       []string `json:"needed"`
	Missing      []string `json:"missing"`
	// Action says what sync did: "created", "updated", "verified",
	// "unchanged", or "" for a status read.
	Action string `json:"action,omitempty"`
}

// hookWarnings remembers the missing sets already warned about.
type hookWarnings struct {
	mu   sync.Mutex
	seen map[string]bool
}

func (w *hookWarnings) first(key string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.seen[key] {
		return false
	}
	if w.seen == nil {
		w.seen = map[string]bool{}
	}
	w.seen[key] = true
	return true
}

// NeededEventTypes are the event types the okta.event_hook triggers use,
// sorted and without repeats.
func NeededEventTypes(triggers []connector.TriggerUse) []string {
	var types []string
	for _, t := range triggers {
		if t.Trigger != eventHookTrigName {
			continue
		}
		for _, et := range connector.Strings(t.Config, "event_types") {
			if !slices.Contains(types, et) {
				types = append(types, et)
			}
		}
	}
	sort.Strings(types)
	return types
}

// hookURI is where Okta delivers for connection.
func (c *Client) hookURI(connection string) string {
	return c.publicURL + "/hooks/okta/" + url.PathEscape(connection)
}

// findHook returns the hook of connection: the one named HookName, else
// one whose URI ends in /hooks/okta/<connection>; nil when there is none.
func (c *Client) findHook(ctx context.Context, connection string) (*okta.EventHook, error) {
	hooks, resp, err := c.sdk.EventHook.ListEventHooks(ctx)
	if err != nil {
		return nil, classify(resp, err)
	}
	suffix := "/hooks/okta/" + connection
	var byURI *okta.EventHook
	for _, h := range hooks {
		if h.Name == HookName(connection) {
			return h, nil
		}
		if h.Channel != nil && h.Channel.Config != nil && strings.HasSuffix(strings.TrimRight(h.Channel.Config.Uri, "/"), suffix) && byURI == nil {
			byURI = h
		}
	}
	return byURI, nil
}

// EventHookStatus reads connection's hook and compares it with needed.
func (c *Client) EventHookStatus(ctx context.Context, connection string, needed []string) (HookStatus, error) {
	h, err := c.findHook(ctx, connection)
	if err != nil {
		return HookStatus{}, err
	}
	return c.status(connection, h, needed), nil
}

func (c *Client) status(connection string, h *okta.EventHook, needed []string) HookStatus {
	st := HookStatus{Connection: connection, Managed: c.manageHook, Name: HookName(connection),
		Needed: nonNil(needed), Subscribed: []string{}}
	if h != nil {
		st.Found, st.ID, st.Name, st.Status, st.Verification = true, h.Id, h.Name, h.Status, h.VerificationStatus
		if h.Channel != nil && h.Channel.Config != nil {
			// A hook someone else registered may carry a key in its URL.
			st.URI = connector.URLForError(h.Channel.Config.Uri)
		}
		if h.Events != nil {
			st.Subscribed = append(st.Subscribed, h.Events.Items...)
			sort.Strings(st.Subscribed)
		}
	}
	st.Missing = []string{}
	for _, t := range needed {
		if !slices.Contains(st.Subscribed, t) {
			st.Missing = append(st.Missing, t)
		}
	}
	return st
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// SyncEventHook makes connection's hook subscribe to exactly needed, with
// this connection's URI and secret, and asks Okta to verify it when it is
// not verified. It changes nothing when the hook already matches. With no
// event type needed it leaves an existing hook alone (Okta refuses a hook
// without event types) and creates none.
func (c *Client) SyncEventHook(ctx context.Context, connection string, needed []string) (HookStatus, error) {
	if !c.manageHook {
		return HookStatus{}, errors.New("manage_event_hook is not set on this connection")
	}
	h, err := c.findHook(ctx, connection)
	if err != nil {
		return HookStatus{}, err
	}
	if len(needed) == 0 {
		st := c.status(connection, h, needed)
		st.Action = "unchanged"
		return st, nil
	}
	action := "unchanged"
	body := c.hookBody(connection, needed)
	switch {
	case h == nil:
		created, resp, err := c.sdk.EventHook.CreateEventHook(ctx, body)
		if err != nil {
			return HookStatus{}, classify(resp, err)
		}
		h, action = created, "created"
	case c.hookDiffers(connection, h, needed):
		updated, resp, err := c.sdk.EventHook.UpdateEventHook(ctx, pathSegment(h.Id), body)
		if err != nil {
			return HookStatus{}, classify(resp, err)
		}
		h, action = updated, "updated"
	}
	if h.Status != "" && h.Status != "ACTIVE" {
		activated, resp, err := c.sdk.EventHook.ActivateEventHook(ctx, pathSegment(h.Id))
		if err != nil {
			return HookStatus{}, classify(resp, err)
		}
		h = activated
	}
	if h.VerificationStatus != "VERIFIED" {
		verified, resp, err := c.sdk.EventHook.VerifyEventHook(ctx, pathSegment(h.Id))
		if err != nil {
			ce := classify(resp, err)
			ce.Message = "Okta could not verify the event hook at " + c.hookURI(connection) +
				" (is cardflow reachable there?): " + ce.Message
			return c.status(connection, h, needed), ce
		}
		h = verified
		if action == "unchanged" {
			action = "verified"
		}
	}
	st := c.status(connection, h, needed)
	st.Action = action
	return st, nil
}

// hookDiffers reports whether h differs from what the connection wants.
// The secret is write-only in Okta and cannot be compared: a rotated secret
// is sent with the next change of event types or URI.
func (c *Client) hookDiffers(connection string, h *okta.EventHook, needed []string) bool {
	var have []string
	if h.Events != nil {
		have = append(have, h.Events.Items...)
	}
	sort.Strings(have)
	if !slices.Equal(have, needed) || h.Name != HookName(connection) {
		return true
	}
	if h.Channel == nil || h.Channel.Config == nil || h.Channel.Config.Uri != c.hookURI(connection) {
		return true
	}
	as := h.Channel.Config.AuthScheme
	return as == nil || !strings.EqualFold(as.Key, c.hookHeader)
}

func (c *Client) hookBody(connection string, needed []string) okta.EventHook {
	return okta.EventHook{
		Name:   HookName(connection),
		Events: &okta.EventSubscriptions{Type: "EVENT_TYPE", Items: needed},
		Channel: &okta.EventHookChannel{Type: "HTTP", Version: "1.0.0", Config: &okta.EventHookChannelConfig{
			Uri:        c.hookURI(connection),
			AuthScheme: &okta.EventHookChannelConfigAuthScheme{Type: "HEADER", Key: c.hookHeader, Value: c.hookSecret},
		}},
	}
}

// syncHook is the Webhook.Sync of the Okta connector.
func syncHook(ctx context.Context, cl connector.Client, req connector.HookSync) ([]string, error) {
	c, ok := cl.(*Client)
	if !ok || c == nil {
		return nil, nil
	}
	needed := NeededEventTypes(req.Triggers)
	if c.manageHook {
		st, err := c.SyncEventHook(ctx, req.Connection, needed)
		if err != nil {
			return nil, err
		}
		if st.Action != "unchanged" {
			return []string{fmt.Sprintf("event hook %s (%s) %s: subscribed to %s, %s",
				st.Name, st.ID, st.Action, strings.Join(st.Subscribed, ", "), strings.ToLower(st.Verification))}, nil
		}
		return nil, nil
	}
	n, key, err := c.checkHook(ctx, req.Connection, needed)
	if err != nil || n == nil || !c.hookWarned.first(key) {
		return nil, err
	}
	return []string{n.Detail}, nil
}

// parsePublicURL checks public_url: https, or http on a loopback host.
func parsePublicURL(raw string) (string, error) {
	shown := connector.URLForError(strings.TrimSpace(raw)) // without a password or key
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", fmt.Errorf("public_url %q must be a base URL such as https://cardflow.acme.com, without user information, query or fragment", shown)
	}
	if u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname())) {
		return "", fmt.Errorf("public_url %q must use https (Okta delivers event hooks only over https; plain http is allowed for loopback hosts)", shown)
	}
	return strings.TrimRight(u.String(), "/"), nil
}

func checkPublicURL(v cty.Value) error {
	v, ok := checkable(v)
	if !ok {
		return nil
	}
	_, err := parsePublicURL(v.AsString())
	return err
}
