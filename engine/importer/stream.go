package importer

import (
	"fmt"
	"strings"
)

// stream says how an Okta card in "Stream Records" mode hands each record
// to its streaming flow: the list in the action's output, and the record
// in Okta Workflows' field names, built from one item (each.value).
type stream struct {
	list   string // .groups
	record string // the record's template (oktaGroupRecord)
}

var (
	groupRecord    = &stream{list: ".groups", record: oktaGroupRecord}
	userRecord     = &stream{list: ".users", record: oktaUserRecord}
	appUserRecord  = &stream{list: ".users", record: oktaAppUserRecord}
	appGroupRecord = &stream{list: ".groups", record: oktaAppGroupRecord}
	logRecord      = &stream{list: ".events", record: oktaLogRecord}
)

// streamCall adds, after the list card b of m, the flow.call that runs m's
// streaming flow once per record with the card's other Streaming inputs as
// its state. It returns the note for the report.
func (fc *flowConv) streamCall(m *Method, st *stream, b *block) string {
	var floV any
	for _, f := range m.Inputs {
		if f.Group == "Streaming" && f.Key == "Flow" {
			floV = f.Data
		}
	}
	ref, helper, err := fc.helper(m, floV)
	if err != nil {
		return fmt.Sprintf("the card streams its records to a flow that is not in the export (%v): no flow is called per record; add a flow.call with for_each = card.%s%s.", err, b.label, st.list)
	}
	recordKey, stateKey := "Record", "State"
	if hi := helper.helperInputs; len(hi) == 2 {
		recordKey, stateKey = hi[0], hi[1]
	} else if len(hi) == 1 {
		recordKey, stateKey = hi[0], ""
	}
	var stateKeys []string
	stateVals := map[string]string{}
	for _, f := range m.Inputs {
		if f.Group != "Streaming" || f.Key == "Flow" {
			continue
		}
		if e, ok := fc.input(m, f); ok {
			stateKeys = append(stateKeys, f.Key)
			stateVals[f.Key] = e
		}
	}
	keys := []string{recordKey}
	vals := map[string]string{recordKey: fillRecord(st.record, "each.value")}
	if stateKey != "" {
		keys = append(keys, stateKey)
		vals[stateKey] = object(stateKeys, stateVals)
	}
	c := &block{kind: "card", label: fc.names.unique(b.label + "_each")}
	c.set("action", "flow.call")
	if b.cond != "" {
		c.and(b.cond)
	}
	c.set("for_each", "card."+b.label+st.list)
	c.set("flow", ref)
	c.set("input", object(keys, vals))
	fc.emit(c)
	note := fmt.Sprintf("each record is passed to %s by %s, as %s in Okta Workflows' field names", strings.TrimPrefix(ref, "flow."), c.label, recordKey)
	return note + "."
}

// streams reports whether m is in "Stream Records" mode with a streaming
// flow: Okta Workflows then calls that flow once per record.
func streams(m *Method) bool {
	mode := ""
	var flo any
	for _, f := range m.Inputs {
		switch {
		case f.Group == "parameters" && f.Key == "resultSet":
			mode, _ = f.Data.(string)
		case f.Group == "Streaming" && f.Key == "Flow":
			flo = f.Data
		}
	}
	return strings.HasPrefix(mode, "Stream") && !isEmptyLiteral(flo)
}

// streamNote adds the per-record call of a streaming card, or says that
// it is missing: the call is the card's main effect.
func (fc *flowConv) streamNote(m *Method, mp *actionMapping, b *block) string {
	if mp.stream != nil {
		return fc.streamCall(m, mp.stream, b)
	}
	return fmt.Sprintf("the card streams its records to a flow in Okta Workflows; %s only lists them: no flow is called per record. Add a flow.call with for_each over the list.", mp.action)
}
