package importer

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/cardflow/cardflow/engine/connector"
)

// actionMapping maps one Okta Workflows connector card to a cardflow
// action.
type actionMapping struct {
	action string // okta.read_user
	// connection is the connector whose connection the card uses; "" for
	// actions without one.
	connection string
	// inputs maps "Group/key" (or "key") of the card's inputs to arguments.
	inputs map[string]string
	// groups collect every input of a group into one object argument:
	// Profile → profile.
	groups map[string]string
	// outputs maps "Group/key" (or "key") of outputs to a path below the
	// card; prefixes maps a group to a path prefix (Profile Properties →
	// profile).
	outputs  map[string]string
	prefixes map[string]string
	// fixed arguments, as HCL.
	fixed map[string]string
	// build adds arguments the tables cannot say (paths built from inputs).
	build func(fc *flowConv, m *Method, b *block) bool
	// built are the input groups build reads.
	built map[string]bool
	// stream runs the card's streaming flow per record in "Stream
	// Records" mode.
	stream *stream
	note   string
	// unavailable are outputs the action does not have: when a later
	// card reads one, the card is converted with fallback instead (the
	// same call through okta.api_call).
	unavailable map[string]bool
	fallback    *actionMapping
	// native returns the mapping of a card to an action of its own, or
	// nil (a Custom API Action whose request an Okta action makes).
	native func(fc *flowConv, m *Method) *actionMapping
}

// choose returns the mapping to convert m with: the action mp.native
// finds, mp, or its fallback when mp's action is missing or a later card
// reads an output mp lacks.
func (fc *flowConv) choose(m *Method, mp *actionMapping) *actionMapping {
	if mp.native != nil {
		if n := mp.native(fc, m); n != nil {
			return n
		}
	}
	if mp.fallback == nil {
		return mp
	}
	if !fc.hasAction(mp.action) {
		return mp.fallback
	}
	for _, o := range m.Outputs {
		if (mp.unavailable[o.Group+"/"+o.Key] || mp.unavailable[o.Key]) && fc.wired(m, o) {
			return mp.fallback
		}
	}
	return mp
}

// actionMappings holds the connector cards by "module.card", from one
// table per connector: okta_cards.go, servicenow_cards.go, table_cards.go,
// http_cards.go.
var actionMappings = mappings(map[string]map[string]*actionMapping{
	"okta":          oktaCards,
	"servicenow":    servicenowCards,
	"stash":         tableCards,
	"httpfunctions": httpCards,
})

func mappings(byModule map[string]map[string]*actionMapping) map[string]*actionMapping {
	all := map[string]*actionMapping{}
	for module, ms := range byModule {
		for k, v := range ms {
			all[module+"."+k] = v
		}
	}
	return all
}

// action converts a connector card. ok is false when the mapped action is
// not in the registry or an input cannot be placed.
func (fc *flowConv) action(m *Method, mp *actionMapping) (string, string, bool) {
	if fc.im.reg != nil {
		if _, _, err := fc.im.reg.Action(mp.action); err != nil {
			return "", "", false
		}
	}
	b := fc.newCard(m, mp.action)
	for _, o := range m.Outputs {
		if p := outputPath(mp, o); p == "__null" {
			fc.setOutput(m, o, "null")
		} else if tpl, ok := strings.CutPrefix(p, "="); ok {
			fc.setOutput(m, o, guardFirst(fillRecord(tpl, "card."+b.label)))
		} else {
			fc.setOutput(m, o, guardFirst("card."+b.label+p))
		}
	}
	if m.Comments != "" && !strings.HasPrefix(m.Comments, "Retrieve") {
		b.comments = append(b.comments, m.Comments)
	}
	if mp.connection != "" {
		b.set("connection", fc.im.connection(mp.connection, m.Config))
	}
	for _, k := range connector.SortedKeys(mp.fixed) {
		b.set(k, mp.fixed[k])
	}
	var dropped []string
	groupKeys := map[string][]string{}
	groupVals := map[string]map[string]string{}
	seenArg := map[string]bool{}
	streaming := streams(m)
	for _, f := range m.Inputs {
		if f.Group == "context" || f.Group == "parameters" && mp.inputs["parameters/"+f.Key] == "" || streaming && f.Group == "Streaming" {
			continue
		}
		e, ok := fc.input(m, f)
		if !ok {
			continue
		}
		if arg := lookupField(mp.inputs, f); arg != "" {
			if arg != "-" && !seenArg[arg] {
				seenArg[arg] = true
				if fc.mapInput(mp.action, arg) {
					me, drop, ok := mapArg(e)
					if drop {
						continue
					}
					if !ok {
						fc.notes[m.UUID] = strings.TrimSpace(fc.notes[m.UUID] + " " + arg + " is text in Okta Workflows: write it as a map ({ name = value }).")
					}
					e = me
				}
				if arg == "limit" && overLimit(e) {
					// Okta Workflows' "all records" is a huge Limit.
					fc.notes[m.UUID] = strings.TrimSpace(fc.notes[m.UUID] + " Limit " + e + " is above the 10000 records cardflow reads at most: 10000 is used.")
					e = "10000"
				}
				b.set(arg, argValue(arg, e))
			}
			continue
		}
		if mp.built[f.Group] {
			continue
		}
		if arg := mp.groups[f.Group]; arg != "" {
			if groupVals[arg] == nil {
				groupVals[arg] = map[string]string{}
			}
			groupKeys[arg] = append(groupKeys[arg], f.Key)
			groupVals[arg][f.Key] = e
			continue
		}
		dropped = append(dropped, f.Key)
	}
	for _, arg := range connector.SortedKeys(groupKeys) {
		b.set(arg, object(groupKeys[arg], groupVals[arg]))
	}
	if mp.build != nil && !mp.build(fc, m, b) {
		fc.names[b.label] = false
		return "", "", false
	}
	fc.emit(b)
	if missing := fc.missingProfileOutputs(m, mp); len(missing) > 0 {
		fc.notes[m.UUID] = strings.TrimSpace(fc.notes[m.UUID] + fmt.Sprintf(" %s has no profile attribute %s (custom attributes are not in its output): read them from okta.api_call GET /api/v1/users/{id}, at body.profile.<name>.", mp.action, strings.Join(missing, ", ")))
	}
	note := strings.TrimSpace(mp.note + " " + fc.notes[m.UUID])
	if streaming {
		note = strings.TrimSpace(note + " " + fc.streamNote(m, mp, b))
	}
	if len(dropped) > 0 {
		note = strings.TrimSpace(note + fmt.Sprintf(" Inputs with no counterpart in %s were left out: %s.", mp.action, strings.Join(dropped, ", ")))
		b.comments = append(b.comments, fmt.Sprintf("Left out (no counterpart in %s): %s.", mp.action, strings.Join(dropped, ", ")))
	}
	return b.label, note, true
}

// argValue adapts Okta Workflows' spelling of a value to the argument:
// its Yes/No choices are booleans.
func argValue(arg, e string) string {
	if arg == "send_email" || arg == "activate" || arg == "oauth_tokens" {
		switch e {
		case `"Yes"`, `"yes"`, `"true"`:
			return "true"
		case `"No"`, `"no"`, `"false"`:
			return "false"
		}
	}
	return e
}

// missingProfileOutputs lists the profile outputs of m that later cards
// read and the action's profile output does not have: Okta's custom
// attributes.
func (fc *flowConv) missingProfileOutputs(m *Method, mp *actionMapping) []string {
	if fc.im.reg == nil {
		return nil
	}
	_, a, err := fc.im.reg.Action(mp.action)
	if err != nil || !a.Output.IsObjectType() || !a.Output.HasAttribute("profile") {
		return nil
	}
	profile := a.Output.AttributeType("profile")
	if !profile.IsObjectType() {
		return nil
	}
	var missing []string
	for _, o := range m.Outputs {
		if mp.prefixes[o.Group] == ".profile" && !profile.HasAttribute(o.Key) && fc.wired(m, o) {
			missing = append(missing, o.Key)
		}
	}
	return missing
}

// mapInput reports whether the action's argument arg is a map.
func (fc *flowConv) mapInput(action, arg string) bool {
	if fc.im.reg == nil {
		return false
	}
	_, a, err := fc.im.reg.Action(action)
	if err != nil {
		return false
	}
	at, ok := a.Input.Lookup(arg)
	return ok && at.Type.IsMapType()
}

// overLimit reports whether e is a number above the 10000 records the
// list actions read at most.
func overLimit(e string) bool {
	n, err := strconv.ParseFloat(e, 64)
	return err == nil && n > 10000
}

func lookupField(table map[string]string, f *Field) string {
	if a := table[f.Group+"/"+f.Key]; a != "" {
		return a
	}
	return table[f.Key]
}

func outputPath(mp *actionMapping, o *Field) string {
	if p, ok := mp.outputs[o.Group+"/"+o.Key]; ok {
		return p
	}
	if p, ok := mp.outputs[o.Key]; ok {
		return p
	}
	if p, ok := mp.prefixes[o.Group]; ok {
		return attrPath(p, o.Key)
	}
	return attrPath("", snake(o.Key))
}
