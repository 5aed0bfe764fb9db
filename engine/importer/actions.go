package importer

import (
	"fmt"
	"strings"
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
		} else {
			fc.setOutput(m, o, "card."+b.label+p)
		}
	}
	if m.Comments != "" && !strings.HasPrefix(m.Comments, "Retrieve") {
		b.comments = append(b.comments, m.Comments)
	}
	if mp.connection != "" {
		b.set("connection", fc.im.connection(mp.connection, m.Config))
	}
	for _, k := range sortedKeys(mp.fixed) {
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
	for _, arg := range sortedKeys(groupKeys) {
		b.set(arg, object(groupKeys[arg], groupVals[arg]))
	}
	if mp.build != nil && !mp.build(fc, m, b) {
		fc.names[b.label] = false
		return "", "", false
	}
	fc.emit(b)
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
	if arg == "send_email" || arg == "activate" {
		switch e {
		case `"Yes"`, `"yes"`, `"true"`:
			return "true"
		case `"No"`, `"no"`, `"false"`:
			return "false"
		}
	}
	return e
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
