package emulator

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cardflow/cardflow/connectors/servicenow/internal/flatjson"
)

// renderMap is a record as the emulator used to hand it to encoding/json:
// the reference the encoder is held to.
func (e *Emulator) renderMap(t *table, rec map[string]string, v view) map[string]any {
	fields := v.fields
	if fields == nil {
		fields = t.schema.columns
	}
	out := make(map[string]any, len(fields))
	for _, f := range fields {
		fv, ok := e.fieldLocked(t, rec, f, v)
		if !ok {
			continue
		}
		if !fv.obj {
			out[f] = fv.str
			continue
		}
		m := map[string]string{}
		if fv.hasDisplay {
			m["display_value"] = fv.display
		}
		if fv.hasLink {
			m["link"] = fv.link
		}
		if fv.hasValue {
			m["value"] = fv.value
		}
		out[f] = m
	}
	return out
}

func encodingJSON(t *testing.T, v any) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := json.NewEncoder(&b).Encode(v); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestEncodeMatchesEncodingJSON checks that records are written byte for
// byte as encoding/json wrote them, for every sysparm_display_value,
// with and without reference links, for every column and for
// sysparm_fields with duplicates, dot-walks and unknown names, and for
// values that need escaping.
func TestEncodeMatchesEncodingJSON(t *testing.T) {
	e := New(Options{Users: map[string]string{approver: "x"}, Columns: map[string][]string{"incident": {"u_custom"}}})
	beth := e.Find("sys_user", "user_name="+approver)[0]["sys_id"]
	tricky := "<b>&amp;</b> \"quoted\" back\\slash\ttab\nnewline\r\x00\x01\x1f\x7f \b\f é ü 漢字 \u2028\u2029 \xff\xfe bad utf-8 🙂"
	rec, err := e.Insert("incident", approver, map[string]string{"short_description": tricky, "caller_id": beth,
		"description": "plain", "work_notes": "a <note>", "u_custom": "x&y", "impact": "1"})
	if err != nil {
		t.Fatal(err)
	}
	other, err := e.Insert("incident", "", map[string]string{"short_description": "second", "parent_incident": rec["sys_id"]})
	if err != nil {
		t.Fatal(err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	tbl := e.tables["incident"]
	stored := []map[string]string{tbl.rows[rec["sys_id"]], tbl.rows[other["sys_id"]]}
	fieldSets := map[string][]string{
		"every column": nil,
		"sysparm_fields": sortedUnique([]string{"state", "caller_id", "caller_id.name", "caller_id.user_name",
			"parent_incident.number", "nope", "state", "short_description", "work_notes", "assigned_to", "u_custom"}),
		"no field": {},
	}
	for _, dv := range []string{"false", "true", "all"} {
		for _, exclude := range []bool{false, true} {
			for name, fields := range fieldSets {
				v := view{displayValue: dv, excludeLinks: exclude, fields: fields, base: "https://acme.service-now.com"}
				for i, r := range stored {
					got := e.recordBodyJSON(tbl, r, v)
					want := encodingJSON(t, map[string]any{"result": e.renderMap(tbl, r, v)})
					if !bytes.Equal(got, want) {
						t.Errorf("display %s, exclude links %v, %s, record %d:\n got %s\nwant %s", dv, exclude, name, i, got, want)
					}
				}
				for n := range len(stored) + 1 {
					page := stored[:n]
					got := e.listBodyJSON(tbl, page, v)
					result := make([]map[string]any, 0, n)
					for _, r := range page {
						result = append(result, e.renderMap(tbl, r, v))
					}
					if want := encodingJSON(t, map[string]any{"result": result}); !bytes.Equal(got, want) {
						t.Errorf("display %s, exclude links %v, %s, list of %d:\n got %s\nwant %s", dv, exclude, name, n, got, want)
					}
				}
			}
		}
	}
}

// FuzzEncodeMatchesEncodingJSON holds the encoder to encoding/json for any
// value a field may hold, in every display mode.
func FuzzEncodeMatchesEncodingJSON(f *testing.F) {
	for _, s := range []string{"plain", "<b>&amp;</b> \"q\" \\", "\x00\x1f\x7f\u2028\u2029", "\xff\xfe bad", "é 漢字 🙂", ""} {
		f.Add(s)
	}
	e := New(Options{Users: map[string]string{approver: "x"}, Columns: map[string][]string{"incident": {"u_custom"}}})
	f.Fuzz(func(t *testing.T, s string) {
		rec, err := e.Insert("incident", approver, map[string]string{"short_description": s, "u_custom": s, "impact": "1"})
		if err != nil {
			return
		}
		e.mu.Lock()
		defer e.mu.Unlock()
		tbl := e.tables["incident"]
		stored := tbl.rows[rec["sys_id"]]
		for _, dv := range []string{"false", "true", "all"} {
			v := view{displayValue: dv, base: "https://acme.service-now.com"}
			got := e.recordBodyJSON(tbl, stored, v)
			if want := encodingJSON(t, map[string]any{"result": e.renderMap(tbl, stored, v)}); !bytes.Equal(got, want) {
				t.Errorf("display %s, value %q:\n got %s\nwant %s", dv, s, got, want)
			}
		}
	})
}

// FuzzWriteBody checks that a write body flatjson reads directly decodes
// as Fields.UnmarshalJSON decodes it.
func FuzzWriteBody(f *testing.F) {
	for _, s := range []string{`{"short_description":"x","impact":"3"}`, `{"d":"a\nb \u00e9 \ud800"}`, `{}`, `{"n":2}`, `{"a":"1","a":"2"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, ok := flatjson.Object(b)
		if !ok {
			return
		}
		want, err := decodeFields(b)
		if err != nil {
			t.Fatalf("flatjson read %q, which Fields refuses: %v", b, err)
		}
		if diff := cmp.Diff(want, Fields(got)); diff != "" {
			t.Errorf("%q (-Fields +flatjson):\n%s", b, diff)
		}
	})
}
