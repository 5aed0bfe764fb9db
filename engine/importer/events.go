package importer

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/cardflow/cardflow/engine/connector"
)

// Okta Workflows' event cards come in two shapes. Older cards hand over
// one event: each field (Okta User, Date and Time, …) is an output of the
// card. Newer cards (webhookList in the export) hand over a list, the
// events of one event hook delivery, as the single output "collection";
// Okta Workflows then runs the flow's cards in a For Each – Ignore Errors
// over that list, whose helper flow takes the event's fields as inputs.
//
// cardflow starts one execution per event of a delivery, so the list an
// execution sees always holds exactly its own event: trigger.event. Both
// shapes read the same System Log paths (eventFields, eventObjects); a For
// Each over the list becomes one call of its helper flow with the event's
// fields (eventCall).

// eventFields maps an event card's scalar and raw fields to the paths of
// the event (or its delivery) cardflow hands over.
var eventFields = map[string]string{
	"Date and Time":      "trigger.event.published",
	"Published":          "trigger.event.published",
	"Message":            "trigger.event.displayMessage",
	"Display Message":    "trigger.event.displayMessage",
	"Event ID":           "trigger.event.uuid",
	"UUID":               "trigger.event.uuid",
	"Event Type":         "trigger.event.eventType",
	"Version":            "trigger.event.version",
	"Severity":           "trigger.event.severity",
	"Legacy Event Type":  "trigger.event.legacyEventType",
	"Event Time":         "trigger.delivery.event_time",
	"Source":             "trigger.delivery.source",
	"Event Details":      "trigger.event",
	"Event":              "trigger.event",
	"Raw Event":          "trigger.event",
	"Outcome":            "trigger.event.outcome",
	"Result":             "trigger.event.outcome.result",
	"Reason":             "trigger.event.outcome.reason",
	"Client":             "trigger.event.client",
	"IP Address":         "trigger.event.client.ipAddress",
	"Transaction":        "trigger.event.transaction",
	"Target":             "trigger.event.target",
	"Debug Context":      "trigger.event.debugContext",
	"Changed Attributes": `trigger.event.debugContext.debugData["changedAttributes"]`,
	// Okta Workflows' Full Details is the whole delivery as Okta POSTs it.
	"Full Details": `{ eventType = "com.okta.event_hook", eventId = trigger.delivery.event_id, eventTime = trigger.delivery.event_time, source = trigger.delivery.source, data = { events = [trigger.event] } }`,
}

// eventObjects maps the actor and target objects of an event card (with
// the fields ID, Alternate ID, Display Name and Type) to the event's.
// Groups and apps are read through the trigger's accessors: their place
// in target depends on the event type.
var eventObjects = map[string]string{
	"Okta User":   "trigger.event.target[0]",
	"User":        "trigger.event.target[0]",
	"Admin":       "trigger.event.actor",
	"Actor":       "trigger.event.actor",
	"Okta Group":  "trigger.group",
	"Group":       "trigger.group",
	"Application": "trigger.app",
}

// eventCardFields are the fields of particular event cards beyond
// eventFields and eventObjects, by card.
var eventCardFields = map[string]map[string]string{
	// The end user who reports activity on their account is the event's
	// actor.
	"userReportedSuspiciousActivityBeta": {
		"Name": "trigger.event.actor.displayName", "Email": "trigger.event.actor.alternateId", "User ID": "trigger.event.actor.id",
	},
}

// eventCardObjects are the objects (with eventObjectFields) of particular
// event cards, by card.
var eventCardObjects = map[string]map[string]string{
	"accessCertificationDecisionSubmitted": {"Review Item": "trigger.event.target[0]"},
}

// eventCardNotes say what to check on the events of particular cards.
var eventCardNotes = map[string]string{
	"accessCertificationDecisionSubmitted": "Review Item reads the event's first target (trigger.event.target[0]): check on a delivered event that it is the review item; the campaign, user and resource are in Debug Data.",
	"userReportedSuspiciousActivityBeta":   "Name, Email and User ID read the event's actor, the user who reported the activity.",
}

// eventObjectBase returns where the event card's object name (Okta User,
// Review Item) is in the event.
func (fc *flowConv) eventObjectBase(name string) (string, bool) {
	if base, ok := eventCardObjects[fc.eventCard][name]; ok {
		return base, true
	}
	base, ok := eventObjects[name]
	return base, ok
}

// eventObjectFields are the fields of an actor or target.
var eventObjectFields = map[string]string{
	"ID": "id", "Alternate ID": "alternateId", "Display Name": "displayName", "Type": "type",
	"Debug Data": "debugData",
}

// eventOutput is the expression of a field of a single-event card's
// output: group names the object a field is in ("Okta User"), or is "".
func (fc *flowConv) eventOutput(o *Field) string {
	switch {
	case o.Key == "collection" && o.Collection:
		// The whole list names every field; only those the flow reads
		// (through eventCall) are worth a note.
		missing := fc.missingEvent
		e := "[" + fc.eventObject(o) + "]"
		fc.missingEvent = missing
		return e
	case o.Group == "context" && o.Key == "execution_id":
		return "trigger.delivery.event_id"
	}
	if base, ok := fc.eventObjectBase(o.Group); ok {
		return fc.eventSubfield(base, o.Group, o.Key)
	}
	if o.Group == "Debug Context" {
		return fc.eventSubfield("trigger.event.debugContext", o.Group, o.Key)
	}
	// An object stays the event's: the Expand card that reads it maps its
	// fields (eventPaths).
	return fc.eventField(o.Key, nil)
}

// eventField is the expression of the event card field key. When typ
// lists the fields of an object (an actor, a target, Debug Context), the
// object is written with those fields in Okta Workflows' names, as a
// helper flow's input holds it.
func (fc *flowConv) eventField(key string, typ any) string {
	sub, isObj := typ.(map[string]any)
	if e, ok := eventCardFields[fc.eventCard][key]; ok {
		return e
	}
	if e, ok := eventFields[key]; ok {
		if isObj && key == "Debug Context" {
			return fc.eventSubObject(e, key, sub)
		}
		return e
	}
	if base, ok := fc.eventObjectBase(key); ok {
		if isObj {
			return fc.eventSubObject(base, key, sub)
		}
		return base
	}
	fc.eventMissing(key)
	return "null"
}

// eventSubObject writes an object with Okta Workflows' field names read
// from the event's object at base.
func (fc *flowConv) eventSubObject(base, name string, fields map[string]any) string {
	keys := connector.SortedKeys(fields)
	vals := map[string]string{}
	for _, k := range keys {
		vals[k] = fc.eventSubfield(base, name, k)
	}
	return inlineObject(keys, vals)
}

func (fc *flowConv) eventSubfield(base, name, key string) string {
	if p, ok := eventObjectFields[key]; ok {
		return base + "." + p
	}
	fc.eventMissing(name + "." + key)
	return "null"
}

// eventMissing records a field of the event card the System Log event
// does not carry: the report names it, and it reads null.
func (fc *flowConv) eventMissing(key string) {
	for _, k := range fc.missingEvent {
		if k == key {
			return
		}
	}
	fc.missingEvent = append(fc.missingEvent, key)
}

// eventObject writes one element of a list-shaped event card's output: the
// event with Okta Workflows' field names, as the card's output type lists
// them ({"Output": {"type": {"Date and Time": …, "Okta User": …}}}).
func (fc *flowConv) eventObject(o *Field) string {
	fields := map[string]any{}
	if t, ok := o.Type.(map[string]any); ok {
		for _, g := range t {
			if gm, ok := g.(map[string]any); ok {
				if inner, ok := gm["type"].(map[string]any); ok {
					for k, v := range inner {
						fields[k] = v
					}
				}
			}
		}
	}
	keys := connector.SortedKeys(fields)
	vals := map[string]string{}
	for _, k := range keys {
		vals[k] = fc.eventField(k, fieldType(fields[k]))
	}
	if len(keys) == 0 {
		return "trigger.event"
	}
	return inlineObject(keys, vals)
}

// fieldType is the type of a field in an output type: {"type": T,
// "collection": bool}.
func fieldType(v any) any {
	if m, ok := v.(map[string]any); ok {
		return m["type"]
	}
	return v
}

// inlineObject writes an object on one line: { a = x, "b c" = y }.
func inlineObject(keys []string, vals map[string]string) string {
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		key := k
		if !isIdent(k) {
			key = strconv.Quote(k)
		}
		parts = append(parts, fmt.Sprintf("%s = %s", key, vals[k]))
	}
	return "{ " + strings.Join(parts, ", ") + " }"
}

// eventList returns the list output of a list-shaped event card that input
// f of m reads, and only that; nil when it reads anything else.
func (fc *flowConv) eventList(m *Method, f *Field) *Field {
	srcs := fc.sources[m.UUID+"/"+f.ID]
	if len(srcs) != 1 {
		return nil
	}
	id, out, _ := strings.Cut(srcs[0], "/")
	src := fc.f.byID[id]
	if src == nil || !isOktaEvent(src) || fc.eventCard == "" {
		return nil
	}
	if o := src.Output(out); o != nil && o.Key == "collection" && o.Collection {
		return o
	}
	return nil
}

// eventCall converts a For Each, For Each – Ignore Errors or Map over the
// events of a list-shaped event card: the execution's list holds its one
// event, so the helper flow is called once, with the event's fields by
// the names of its inputs. For Each – Ignore Errors goes on when the
// helper fails, as in Okta Workflows.
func (fc *flowConv) eventCall(m *Method, fr *FlowReport, list *Field) bool {
	var floField *Field
	for _, f := range m.Inputs {
		if f.Key == "flo" {
			floField = f
		}
	}
	if floField == nil {
		return false
	}
	ref, helper, err := fc.helper(m, floField.Data)
	if err != nil || helper == nil {
		return false
	}
	b := fc.newCard(m, "flow.call")
	b.comments = append(b.comments, "Okta Workflows runs this once per event of the delivery; cardflow runs the flow once per event, so it is called once, with this execution's event.")
	b.set("flow", ref)
	keys, vals := fc.eventInputs(m, helper, list)
	if len(keys) > 0 {
		b.set("input", object(keys, vals))
	}
	if m.Key == "asyncEach" {
		b.set("on_error", "continue")
	}
	fc.emit(b)
	for _, o := range m.Outputs {
		if m.Key == "map" {
			fc.setOutput(m, o, "[card."+b.label+".result]")
		} else {
			fc.setOutput(m, o, attrPath("card."+b.label+".result", o.Key))
		}
	}
	note := "the event card hands Okta Workflows a list of events; cardflow starts one execution per event, and " + b.label + " calls " + strings.TrimPrefix(ref, "flow.") + " with it."
	fc.markEventRead()
	fr.add(m, Converted, b.label, note)
	return true
}

// eventInputs are the inputs the helper of an event For Each reads. The
// helper Okta Workflows cuts out of an event flow takes the event's fields
// (its Helper Flow card's "Output" group): each that a card of the helper
// is wired to, from the event. Another helper takes the event, in Okta
// Workflows' field names, as its first input. The For Each's own extra
// inputs are passed by name.
func (fc *flowConv) eventInputs(m *Method, helper *flowOut, list *Field) ([]string, map[string]string) {
	var keys []string
	vals := map[string]string{}
	fields := false // the helper takes the event's fields
	for _, hm := range helper.src.Methods {
		if hm.Module != "control" || hm.Key != "callable" {
			continue
		}
		outs := append([]*Field(nil), hm.Outputs...)
		sort.SliceStable(outs, func(i, j int) bool { return outs[i].Index < outs[j].Index })
		for _, o := range outs {
			if o.Group != "Output" {
				continue
			}
			fields = true
			if helperReads(hm, o) && vals[o.Key] == "" {
				typ := o.Type
				if _, isObj := typ.(map[string]any); !isObj && o.Key == "Debug Context" {
					// Okta Workflows' Debug Context holds Debug Data,
					// whatever type the helper gave its input.
					typ = map[string]any{"Debug Data": "object"}
				}
				keys = append(keys, o.Key)
				vals[o.Key] = fc.eventField(o.Key, typ)
			}
		}
		break
	}
	if !fields && len(helper.helperInputs) > 0 {
		first := helper.helperInputs[0]
		keys = append(keys, first)
		vals[first] = fc.eventObject(list)
	}
	return fc.otherInputs(m, keys, vals)
}

// helperReads reports whether a card of the helper flow is wired to the
// field o of its Helper Flow card hm.
func helperReads(hm *Method, o *Field) bool {
	for _, p := range hm.Pins {
		if p.Output == o.ID {
			return true
		}
	}
	return false
}

// markEventRead records that the card being converted read the trigger.
func (fc *flowConv) markEventRead() {
	for _, m := range fc.f.Methods {
		if fc.eventCard != "" && isOktaEvent(m) {
			fc.reads[m.UUID] = true
			return
		}
	}
}

// noteMissingEvent says on the trigger which of the event card's fields
// read null: the System Log event cardflow hands over does not carry them.
func (fc *flowConv) noteMissingEvent(fr *FlowReport) {
	if len(fc.missingEvent) == 0 || fc.out.trigger == nil {
		return
	}
	note := fmt.Sprintf("these fields of the event card are not in the System Log event cardflow hands over and read null: %s.",
		strings.Join(fc.missingEvent, ", "))
	fc.out.trigger.comments = append(fc.out.trigger.comments, "Okta Workflows: "+note)
	for _, cr := range fr.Cards {
		if cr.As == "trigger" && cr.Module == "okta" {
			cr.Note = strings.TrimSpace(cr.Note + " T" + strings.TrimPrefix(note, "t"))
		}
	}
}

// isEventPath reports whether e reads the trigger's event or one of the
// objects the trigger picks out of it, whose fields eventPaths maps.
func isEventPath(e string) bool {
	for _, p := range []string{"trigger.event", "trigger.user", "trigger.group", "trigger.app"} {
		if e == p || strings.HasPrefix(e, p+".") || strings.HasPrefix(e, p+"[") {
			return true
		}
	}
	return false
}
