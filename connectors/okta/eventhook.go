package okta

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/internal/jsonscan"
)

// maxHookBody caps an event hook delivery. Okta documents no batch size;
// its samples are a few KiB per event.
const maxHookBody = 1 << 20

const (
	hookEnvelopeType  = "com.okta.event_hook"
	challengeHeader   = "X-Okta-Verification-Challenge"
	eventHookOp       = "okta.event_hook"
	eventHookTrigName = "event_hook"
)

func eventTypesAttr(forHooks bool) connector.Attribute {
	return connector.Attribute{Name: "event_types", Type: cty.List(cty.String), Required: true,
		Check: checkEventTypes(forHooks),
		Doc:   "The Okta event types that start the flow, e.g. [\"user.lifecycle.create\"]."}
}

func eventHookTrigger() *connector.Trigger {
	return &connector.Trigger{
		Name: eventHookTrigName,
		Doc: "Starts the flow for each event Okta delivers to /hooks/okta/<connection> whose type is in " +
			"event_types. Register the hook in Okta with that URL, authentication header " +
			"event_hook_header and the connection's event_hook_secret as its value. trigger.event is " +
			"the System Log event (target[0] is usually the user), trigger.delivery the delivery's " +
			"eventId, source and eventTime.",
		Mode:        connector.Push,
		Config:      connector.Schema{eventTypesAttr(true)},
		Output:      eventOutput,
		OutputFor:   eventOutputFor,
		LintCompare: lintEventTypeCompare,
		// A System Log event always has these; a delivery whose event
		// lacks one is not from Okta, and its flow could not use it.
		Required:       []string{"event.uuid", "event.eventType", "event.target"},
		IDField:        "event.uuid",
		Accept:         acceptEventTypes,
		TypeOf:         eventTypeOf,
		DecodeDelivery: decodeSavedDelivery,
	}
}

// decodeSavedDelivery is DecodeEventHook for a delivery saved to a file:
// a body whose eventType is com.okta.event_hook, or that has data.events,
// is a delivery (and any fault of it an error); anything else is not one.
func decodeSavedDelivery(body []byte) ([]connector.Event, bool, error) {
	var head struct {
		EventType string `json:"eventType"`
		Data      *struct {
			Events json.RawMessage `json:"events"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &head); err != nil {
		return nil, false, nil
	}
	if head.EventType != hookEnvelopeType && (head.Data == nil || head.Data.Events == nil) {
		return nil, false, nil
	}
	events, err := DecodeEventHook(body)
	return events, true, err
}

// eventTypeOf is the event type of a trigger value: event.eventType.
func eventTypeOf(v cty.Value) string {
	if !v.Type().IsObjectType() || !v.Type().HasAttribute("event") {
		return ""
	}
	ev := v.GetAttr("event")
	if ev.IsNull() || !ev.Type().IsObjectType() {
		return ""
	}
	return connector.String(ev, "eventType")
}

// acceptEventTypes keeps the events whose type the trigger lists.
func acceptEventTypes(cfg cty.Value, ev *connector.Event) bool {
	return ev != nil && connector.HasString(cfg, "event_types", ev.Type)
}

// receiveEventHook checks the authentication header, then answers Okta's
// verification GET or decodes a POSTed delivery. Okta sends the header on
// the verification request too (the one-time verification request in
// Okta's support article "Unable to verify event hook"), so a hook URL
// answers nothing, not even whether it exists, without the secret.
func receiveEventHook(_ context.Context, cl connector.Client, r *http.Request) (connector.HookReply, error) {
	c, ok := cl.(*Client)
	if !ok || c == nil {
		return connector.HookReply{}, &connector.Error{Kind: connector.Other, Op: eventHookOp, Message: "not an okta connection"}
	}
	if err := c.authenticate(r); err != nil {
		return connector.HookReply{}, err
	}
	switch r.Method {
	case http.MethodGet:
		return verify(r)
	case http.MethodPost:
	default:
		return connector.HookReply{}, &connector.Error{Kind: connector.Invalid, Op: eventHookOp,
			Status: http.StatusMethodNotAllowed, Message: "event hooks use GET (verification) and POST (delivery)"}
	}
	buf := bodyBuffers.Get().(*bytes.Buffer)
	defer putBodyBuffer(buf)
	body, err := readBody(r, buf)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return connector.HookReply{}, &connector.Error{Kind: connector.Invalid, Op: eventHookOp,
				Status: http.StatusRequestEntityTooLarge, Message: fmt.Sprintf("delivery larger than %d bytes", maxHookBody)}
		}
		return connector.HookReply{}, &connector.Error{Kind: connector.Invalid, Op: eventHookOp, Message: "reading the delivery", Err: err}
	}
	// The events keep nothing of body (DecodeEventHook copies what it
	// takes), so its buffer goes back to the pool.
	events, err := DecodeEventHook(body)
	if err != nil {
		return connector.HookReply{}, err
	}
	// The zero answer: 200 with no body, once the events are stored.
	return connector.HookReply{Events: events}, nil
}

// bodyBuffers are the buffers deliveries are read into: a delivery is
// read whole, decoded and dropped, once per request, and each event's
// payload is a copy.
var bodyBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledBody is the largest buffer kept for another delivery: a rare
// large batch is not held on to.
const maxPooledBody = 64 << 10

func putBodyBuffer(buf *bytes.Buffer) {
	if buf.Cap() <= maxPooledBody {
		buf.Reset()
		bodyBuffers.Put(buf)
	}
}

// readBody reads the delivery, of at most maxHookBody bytes, into buf,
// grown first to its Content-Length when it has one (io.ReadAll would
// grow one from 512 bytes, copying as it goes). The bytes are buf's: valid
// until buf is used again. The reader has no ResponseWriter to tell that
// the body was cut short: the server closes such a connection itself when
// it cannot read the rest of the body.
func readBody(r *http.Request, buf *bytes.Buffer) ([]byte, error) {
	body := http.MaxBytesReader(nil, r.Body, maxHookBody)
	buf.Reset()
	if n := r.ContentLength; n > 0 && n <= maxHookBody {
		// MinRead spare bytes let ReadFrom see the end without growing.
		buf.Grow(int(n) + bytes.MinRead)
	}
	_, err := buf.ReadFrom(body)
	return buf.Bytes(), err
}

// verify answers the one-time verification request: 200 with the
// challenge echoed as {"verification": "…"} (reference §1.2).
func verify(r *http.Request) (connector.HookReply, error) {
	challenge := r.Header.Get(challengeHeader)
	if challenge == "" {
		return connector.HookReply{}, &connector.Error{Kind: connector.Invalid, Op: eventHookOp,
			Message: "a GET must carry the " + challengeHeader + " header (Okta's verification request)"}
	}
	b, err := json.Marshal(map[string]string{"verification": challenge})
	if err != nil {
		return connector.HookReply{}, err
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	return connector.HookReply{Status: http.StatusOK, Header: h, Body: b}, nil
}

// authenticate checks the connection's event hook secret (checkHookSecret).
func (c *Client) authenticate(r *http.Request) error {
	return checkHookSecret(r, c.hookHeader, c.hookSecret)
}

// authenticateHook is Webhook.Authenticate: the check Receive makes, from
// the connection block's values, for a connection whose client cannot be
// opened.
func authenticateHook(cfg cty.Value, r *http.Request) error {
	cfg, _ = cfg.UnmarkDeep()
	header := connector.String(cfg, "event_hook_header")
	if header == "" {
		header = defaultHookHeader
	}
	return checkHookSecret(r, header, connector.String(cfg, "event_hook_secret"))
}

// checkHookSecret compares header with secret in constant time (over
// digests, so that the length does not leak either). A connection without
// a secret refuses every delivery.
func checkHookSecret(r *http.Request, header, secret string) error {
	if secret == "" {
		return &connector.Error{Kind: connector.Permission, Op: eventHookOp, Status: http.StatusUnauthorized,
			Message: "the connection has no event_hook_secret, so it accepts no deliveries"}
	}
	got := sha256.Sum256([]byte(r.Header.Get(header)))
	want := sha256.Sum256([]byte(secret))
	if subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
		return &connector.Error{Kind: connector.Permission, Op: eventHookOp, Status: http.StatusUnauthorized,
			Message: "missing or wrong " + header + " header"}
	}
	return nil
}

// hookEnvelope is the outer object of a delivery (reference §1.4).
type hookEnvelope struct {
	EventType string `json:"eventType"`
	EventID   string `json:"eventId"`
	EventTime string `json:"eventTime"`
	Source    string `json:"source"`
	Data      *struct {
		// Events are split while the envelope is read: the body is
		// scanned once here, and each event once more for its head.
		Events []json.RawMessage `json:"events"`
	} `json:"data"`
}

// eventHead is what the decoder reads of each event; the rest stays raw.
type eventHead struct {
	UUID      string          `json:"uuid"`
	EventType string          `json:"eventType"`
	Published string          `json:"published"`
	Target    json.RawMessage `json:"target"`
}

// delivery is trigger.delivery.
type delivery struct {
	EventID   *string `json:"event_id"`
	Source    *string `json:"source"`
	EventTime *string `json:"event_time"`
}

// DecodeEventHook turns one event hook delivery into one event per element
// of data.events: ID is the event's uuid (Okta delivers at least once, so
// the engine dedups on it), Type its eventType, Time its published time,
// and Payload {"event": <the event's JSON, byte for byte>, "delivery":
// {event_id, source, event_time}}. Errors are *connector.Error of kind
// Invalid.
//
// A delivery as Okta sends it is read in one pass (splitDelivery); any
// other, malformed ones included, is decoded by encoding/json
// (decodeEnvelope), which defines the result and says what is wrong.
func DecodeEventHook(body []byte) ([]connector.Event, error) {
	if events, ok := splitDelivery(body); ok {
		return events, nil
	}
	return decodeEnvelope(body)
}

// decodeEnvelope is DecodeEventHook by encoding/json.
func decodeEnvelope(body []byte) ([]connector.Event, error) {
	var env hookEnvelope
	if err := json.Unmarshal(body, &env); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && strings.HasPrefix(te.Field, "data") {
			return nil, invalidHook("data.events must be an array of events")
		}
		return nil, invalidHook("the body is not a JSON event hook envelope: %v", err)
	}
	if env.EventType != hookEnvelopeType {
		return nil, invalidHook("eventType is %q, want %q: not an Okta event hook delivery", env.EventType, hookEnvelopeType)
	}
	if env.Data == nil || env.Data.Events == nil {
		return nil, invalidHook("data.events must be an array of events")
	}
	raws := env.Data.Events
	d, err := deliveryJSON(env.EventID, env.Source, env.EventTime)
	if err != nil {
		return nil, err
	}
	events := make([]connector.Event, 0, len(raws))
	for i, raw := range raws {
		ev, err := decodeEvent(raw, d)
		if err != nil {
			return nil, invalidHook("data.events[%d]: %v", i, err)
		}
		events = append(events, ev)
	}
	return events, nil
}

func deliveryJSON(eventID, source, eventTime string) ([]byte, error) {
	return json.Marshal(delivery{EventID: nonEmpty(eventID), Source: nonEmpty(source), EventTime: nonEmpty(eventTime)})
}

// appendDeliveryJSON appends what deliveryJSON returns to dst.
func appendDeliveryJSON(dst, eventID, source, eventTime []byte) ([]byte, error) {
	d, err := deliveryJSON(string(eventID), string(source), string(eventTime))
	return append(dst, d...), err
}

// splitDelivery reads a delivery in one pass over the body, validating all
// of it and taking apart only the envelope and the heads of the events. It
// reports false for anything where it could differ from decodeEnvelope:
// an error, a null, a repeated field, and a member name that encoding/json
// would match to a field without being its exact name (it matches names
// regardless of case, and of some Unicode folding).
func splitDelivery(body []byte) ([]connector.Event, bool) {
	var env envelopeFields
	var events []eventSpan
	// Most deliveries hold a few events: their spans stay on the stack.
	var few [4]eventSpan
	s := jsonscan.New(body)
	ok := s.Object(func(key []byte, _ int) bool {
		switch string(key) {
		case "eventType":
			return env.str(&s, fieldEventType, &env.eventType)
		case "eventId":
			return env.str(&s, fieldEventID, &env.eventID)
		case "eventTime":
			return env.str(&s, fieldEventTime, &env.eventTime)
		case "source":
			return env.str(&s, fieldSource, &env.source)
		case "data":
			if !env.once(fieldData) {
				return false
			}
			return s.Object(func(key []byte, _ int) bool {
				if string(key) == "events" {
					if !env.once(fieldEvents) {
						return false
					}
					events = few[:0]
					return s.Array(func(int) bool {
						ev, ok := readEventSpan(&s)
						events = append(events, ev)
						return ok
					})
				}
				return unrelated(key, "events") && s.Skip()
			})
		}
		return unrelated(key, "eventType", "eventId", "eventTime", "source", "data") && s.Skip()
	})
	if !ok || !s.AtEnd() || string(env.eventType) != hookEnvelopeType || !env.has(fieldEvents) {
		return nil, false
	}
	var dbuf [256]byte
	d, err := appendDeliveryJSON(dbuf[:0], env.eventID, env.source, env.eventTime)
	if err != nil {
		return nil, false
	}
	out := make([]connector.Event, len(events))
	for i := range events {
		sp := &events[i]
		ev, ok := sp.event()
		if !ok {
			return nil, false
		}
		if sp.targets.read {
			ev.Payload = wrapPicked(body, sp, d)
		} else {
			var target []byte
			if sp.targetEnd > 0 {
				target = body[sp.targetStart:sp.targetEnd]
			}
			ev.Payload = wrapEvent(body[sp.start:sp.end], target, d)
		}
		out[i] = ev
	}
	return out, true
}

// The fields splitDelivery reads, as bits of envelopeFields.seen.
const (
	fieldEventType = 1 << iota
	fieldEventID
	fieldEventTime
	fieldSource
	fieldData
	fieldEvents
	fieldUUID
	fieldPublished
	fieldTarget
)

// envelopeFields are read in place: their bytes are the body's (or, for
// strings with escapes, their unquoted copy), valid while it is.
type envelopeFields struct {
	seen                                  uint
	eventType, eventID, eventTime, source []byte
}

// once marks field as read, and reports false when it was already.
func (f *envelopeFields) once(field uint) bool {
	if f.seen&field != 0 {
		return false
	}
	f.seen |= field
	return true
}

func (f *envelopeFields) has(field uint) bool { return f.seen&field != 0 }

// str reads the string value of field into dst.
func (f *envelopeFields) str(s *jsonscan.Scanner, field uint, dst *[]byte) bool {
	if !f.once(field) || s.Peek() != '"' {
		return false
	}
	b, _, ok := s.StringBytes()
	*dst = b
	return ok
}

// unrelated reports whether encoding/json would match the member name key
// to none of fields: it is ASCII and equal to none of them regardless of
// case.
func unrelated(key []byte, fields ...string) bool {
	for _, c := range key {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	for _, f := range fields {
		if strings.EqualFold(string(key), f) {
			return false
		}
	}
	return true
}

// eventSpan is one element of data.events: where it is in the body, and
// its head.
type eventSpan struct {
	start, end             int
	targetStart, targetEnd int            // the target array, if any
	targets                targetPicks    // what the accessors take of it, when read in the pass
	head                   envelopeFields // eventType; eventID is the uuid, eventTime the published time
}

// readEventSpan reads one element of data.events, which must be an object.
func readEventSpan(s *jsonscan.Scanner) (eventSpan, bool) {
	var ev eventSpan
	if s.Peek() != '{' {
		return ev, false
	}
	ev.start = s.Pos()
	h := &ev.head
	ok := s.Object(func(key []byte, _ int) bool {
		switch string(key) {
		case "uuid":
			return h.str(s, fieldUUID, &h.eventID)
		case "eventType":
			return h.str(s, fieldEventType, &h.eventType)
		case "published":
			return h.str(s, fieldPublished, &h.eventTime)
		case "target":
			if !h.once(fieldTarget) {
				return false
			}
			ev.targetStart = s.Pos()
			var ok bool
			ev.targets, ok = readTargets(s)
			ev.targetEnd = s.Pos()
			return ok
		}
		return unrelated(key, "uuid", "eventType", "published", "target") && s.Skip()
	})
	ev.end = s.Pos()
	return ev, ok
}

// event is the span as an event, with the checks of readEventHead.
func (sp *eventSpan) event() (connector.Event, bool) {
	h := sp.head
	if len(h.eventID) == 0 {
		return connector.Event{}, false
	}
	var at time.Time
	if len(h.eventTime) != 0 {
		t, err := time.Parse(time.RFC3339Nano, string(h.eventTime))
		if err != nil {
			return connector.Event{}, false
		}
		at = t
	}
	return connector.Event{ID: string(h.eventID), Type: string(h.eventType), Time: at}, true
}

// decodeEvent reads one LogEvent and wraps it with the delivery JSON.
func decodeEvent(raw json.RawMessage, deliveryJSON []byte) (connector.Event, error) {
	ev, target, err := readEventHead(raw)
	if err != nil {
		return connector.Event{}, err
	}
	ev.Payload = wrapEvent(ev.Payload, target, deliveryJSON)
	return ev, nil
}

// readEventHead returns an event with ID, Type and Time set from raw, a
// LogEvent object, and the trimmed raw bytes as its Payload, with the
// event's target array.
func readEventHead(raw json.RawMessage) (connector.Event, json.RawMessage, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return connector.Event{}, nil, errors.New("an event must be a JSON object")
	}
	var head eventHead
	if err := json.Unmarshal(raw, &head); err != nil {
		return connector.Event{}, nil, err
	}
	if head.UUID == "" {
		return connector.Event{}, nil, errors.New("the event has no uuid")
	}
	var at time.Time
	if head.Published != "" {
		t, err := time.Parse(time.RFC3339Nano, head.Published)
		if err != nil {
			return connector.Event{}, nil, fmt.Errorf("published %q is not an RFC 3339 time", head.Published)
		}
		at = t
	}
	return connector.Event{ID: head.UUID, Type: head.EventType, Time: at, Payload: raw}, head.Target, nil
}

// wrapEvent builds {"event": raw, "delivery": deliveryJSON, "user": …,
// "group": …, "app": …} without re-encoding the event; the accessors are
// picked from target (the event's target array, nil when it has none).
func wrapEvent(raw, target, deliveryJSON []byte) json.RawMessage {
	acc := accessorsJSON(target)
	return append(append(wrapHead(raw, deliveryJSON, len(acc)+1), acc...), '}')
}

// wrapPicked is wrapEvent for an event whose target splitDelivery took
// apart in its pass: the accessors are copied from the body, not decoded
// and encoded again, into a payload of exactly their size.
func wrapPicked(body []byte, sp *eventSpan, deliveryJSON []byte) json.RawMessage {
	payload := wrapHead(body[sp.start:sp.end], deliveryJSON, sp.targets.size()+1)
	return append(sp.targets.appendJSON(payload, body), '}')
}

// wrapHead is the payload up to its accessors: {"event": raw, "delivery":
// deliveryJSON, with room for exactly n more bytes.
func wrapHead(raw, deliveryJSON []byte, n int) []byte {
	payload := make([]byte, 0, len(wrapEventKey)+len(raw)+len(wrapDeliveryKey)+len(deliveryJSON)+n)
	payload = append(payload, wrapEventKey...)
	payload = append(payload, raw...)
	payload = append(payload, wrapDeliveryKey...)
	return append(payload, deliveryJSON...)
}

const (
	wrapEventKey    = `{"event":`
	wrapDeliveryKey = `,"delivery":`
)

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func invalidHook(format string, args ...any) *connector.Error {
	return &connector.Error{Kind: connector.Invalid, Op: eventHookOp, Status: http.StatusBadRequest,
		Message: fmt.Sprintf(format, args...)}
}
