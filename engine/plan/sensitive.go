package plan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/lang"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// Redact returns payload, an event of t's trigger, as it may be stored:
// every non-null value of a sensitive field (t.Sensitive) replaced by
// lang.Redacted, and every known secret of the flow (t.Secrets: its
// endpoint token, sensitive variables, connection secrets) that a string
// holds replaced by it too (a caller that echoes its token). removed are
// the strings the sensitive fields held (numbers as their text): the
// execution's secrets, with the flow's secrets found. changed is false,
// and stored is payload, when there was nothing to redact or payload is
// not JSON.
func (t *Trigger) Redact(payload []byte) (stored []byte, removed []string, changed bool) {
	if t == nil || len(t.Sensitive) == 0 && len(t.Secrets) == 0 || len(payload) == 0 {
		return payload, nil, false
	}
	if len(t.Sensitive) == 0 && !t.mayHoldSecret(payload) {
		return payload, nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return payload, nil, false
	}
	for _, f := range t.Sensitive {
		doc = redactAt(doc, f.Path, &removed, &changed)
	}
	if len(t.Secrets) > 0 {
		doc = scrubSecrets(doc, t.Secrets, &removed, &changed)
	}
	if !changed {
		return payload, nil, false
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		// Nothing of it can be stored safely.
		return []byte(`{}`), removed, true
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), removed, true
}

// mayHoldSecret reports whether payload may hold one of t.Secrets: as it
// is, or JSON-escaped (a secret with a quote, a backslash or a control
// character is looked for in the decoded strings always). It allocates
// nothing when t was compiled: every event of an endpoint is scanned.
func (t *Trigger) mayHoldSecret(payload []byte) bool {
	secrets := t.secretBytes
	if secrets == nil {
		secrets = bytesOf(t.Secrets)
	}
	for _, s := range secrets {
		if bytes.Contains(payload, s) || bytes.ContainsFunc(s, func(r rune) bool {
			return r < 0x20 || r == '"' || r == '\\' || r == '<' || r == '>' || r == '&' || r > 0x7e
		}) {
			return true
		}
	}
	return false
}

// bytesOf returns ss as byte slices.
func bytesOf(ss []string) [][]byte {
	if len(ss) == 0 {
		return nil
	}
	out := make([][]byte, len(ss))
	for i, s := range ss {
		out[i] = []byte(s)
	}
	return out
}

// redactAt replaces the non-null value at path in v (a decoded JSON
// value) by lang.Redacted, through every element of the lists on the way,
// and collects the strings it held.
func redactAt(v any, path []string, removed *[]string, changed *bool) any {
	switch x := v.(type) {
	case []any:
		for i, e := range x {
			x[i] = redactAt(e, path, removed, changed)
		}
		return x
	case nil:
		return nil
	}
	if len(path) == 0 {
		collectStrings(v, removed)
		*changed = true
		return lang.Redacted
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return v
	}
	if e, ok := obj[path[0]]; ok {
		obj[path[0]] = redactAt(e, path[1:], removed, changed)
	}
	return obj
}

// collectStrings adds the strings and numbers of v to out.
func collectStrings(v any, out *[]string) {
	switch x := v.(type) {
	case string:
		*out = append(*out, x)
	case json.Number:
		*out = append(*out, x.String())
	case []any:
		for _, e := range x {
			collectStrings(e, out)
		}
	case map[string]any:
		for _, e := range x {
			collectStrings(e, out)
		}
	}
}

// scrubSecrets replaces every secret in the strings and member names of
// v, and adds those it found to found.
func scrubSecrets(v any, secrets []string, found *[]string, changed *bool) any {
	switch x := v.(type) {
	case string:
		return scrubString(x, secrets, found, changed)
	case []any:
		for i, e := range x {
			x[i] = scrubSecrets(e, secrets, found, changed)
		}
		return x
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[scrubString(k, secrets, found, changed)] = scrubSecrets(e, secrets, found, changed)
		}
		return out
	}
	return v
}

func scrubString(s string, secrets []string, found *[]string, changed *bool) string {
	for _, sec := range secrets {
		if strings.Contains(s, sec) {
			s = strings.ReplaceAll(s, sec, lang.Redacted)
			*found = append(*found, sec)
			*changed = true
		}
	}
	return s
}

// UnstoredReason is why an execution whose stored event lacks the value
// of the sensitive field named field cannot run again.
func UnstoredReason(field string) string {
	return "trigger field " + field + " is sensitive and was not stored: this execution cannot be resumed or replayed"
}

// Unstored returns the name of the first sensitive field of t that holds
// lang.Redacted in payload, a stored event: its value was not stored, and
// an execution cannot run on the stored event without it. "" when none
// does.
func (t *Trigger) Unstored(payload []byte) string {
	if t == nil || len(t.Sensitive) == 0 || !bytes.Contains(payload, []byte(lang.Redacted)) {
		return ""
	}
	var doc any
	if err := json.Unmarshal(payload, &doc); err != nil {
		return ""
	}
	for _, f := range t.Sensitive {
		if holdsRedacted(doc, f.Path) {
			return f.Name
		}
	}
	return ""
}

func holdsRedacted(v any, path []string) bool {
	if list, ok := v.([]any); ok {
		for _, e := range list {
			if holdsRedacted(e, path) {
				return true
			}
		}
		return false
	}
	if len(path) == 0 {
		return v == lang.Redacted
	}
	obj, ok := v.(map[string]any)
	return ok && holdsRedacted(obj[path[0]], path[1:])
}

// MarkSensitive returns v, a trigger value of t, with every non-null value
// of a sensitive field marked lang.Sensitive: what is computed from it is
// redacted in the journal as a sensitive variable's value is.
func (t *Trigger) MarkSensitive(v cty.Value) cty.Value {
	if t == nil {
		return v
	}
	for _, f := range t.Sensitive {
		v = markAt(v, f.Path)
	}
	return v
}

func markAt(v cty.Value, path []string) cty.Value {
	if v == cty.NilVal || v.IsNull() || !v.IsKnown() {
		return v
	}
	if len(path) == 0 {
		return v.Mark(lang.Sensitive)
	}
	if v.IsMarked() {
		u, marks := v.Unmark()
		return markAt(u, path).WithMarks(marks)
	}
	ty := v.Type()
	switch {
	case ty.IsObjectType():
		if !ty.HasAttribute(path[0]) {
			return v
		}
		attrs := v.AsValueMap()
		attrs[path[0]] = markAt(attrs[path[0]], path[1:])
		return cty.ObjectVal(attrs)
	case ty.IsMapType():
		key := cty.StringVal(path[0])
		if !v.HasIndex(key).True() {
			return v
		}
		elems := v.AsValueMap()
		elems[path[0]] = markAt(elems[path[0]], path[1:])
		return cty.MapVal(elems)
	case ty.IsListType() || ty.IsTupleType():
		if v.LengthInt() == 0 {
			return v
		}
		elems := v.AsValueSlice()
		for i, e := range elems {
			elems[i] = markAt(e, path)
		}
		if ty.IsListType() {
			return cty.ListVal(elems)
		}
		return cty.TupleVal(elems)
	case ty.IsSetType():
		// A set's elements carry no marks of their own: the whole set is
		// marked when any element holds the field.
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			if m := markAt(e, path); m.ContainsMarked() {
				return v.Mark(lang.Sensitive)
			}
		}
	}
	return v
}

// flowSecrets are the strings a flow whose trigger config is cfg holds as
// secrets: its trigger's sensitive arguments (an endpoint's token), and
// gen's (GenerationSecrets).
func flowSecrets(gen *Generation, cfg cty.Value) []string {
	var out []string
	lang.SensitiveStrings(cfg, false, func(s string) {
		if len(s) >= lang.MinSecretLen {
			out = append(out, s)
		}
	})
	return append(out, GenerationSecrets(gen)...)
}

// GenerationSecrets are the secret strings of gen, at least
// lang.MinSecretLen long: the values of its sensitive variables and of
// its connections' sensitive attributes.
func GenerationSecrets(gen *Generation) []string {
	var out []string
	add := func(s string) {
		if len(s) >= lang.MinSecretLen {
			out = append(out, s)
		}
	}
	lang.SensitiveStrings(gen.Vars, false, add)
	for _, name := range connector.SortedKeys(gen.Connections) {
		if c := gen.Connections[name]; c != nil {
			lang.SensitiveStrings(c.Config, false, add)
		}
	}
	return out
}

// sensitiveWaitChecks warns of each flow.wait card of a flow whose trigger
// has sensitive fields: the store lacks their values, so such an execution
// is never parked; it holds its worker for the whole wait, shows as
// running, and can be neither canceled nor woken.
func sensitiveWaitChecks(f *Flow) hcl.Diagnostics {
	if f.Trigger == nil || len(f.Trigger.Sensitive) == 0 {
		return nil
	}
	var diags hcl.Diagnostics
	for _, c := range f.Decl.Cards {
		if c.Action != "flow.wait" {
			continue
		}
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagWarning,
			Summary:  "Wait holds a worker",
			Detail: fmt.Sprintf("The trigger's sensitive fields are not stored, so an execution of this flow is never parked: "+
				"card %q holds its worker for the whole wait, shows as running meanwhile, and can be neither canceled nor woken. "+
				"Move the wait and the cards after it to another flow started with flow.call and async = true (its input must "+
				"hold no sensitive value), or remove the wait.", c.Name),
			Subject: c.ActionRange.Ptr(),
		})
	}
	return diags
}
