package servicenow_test

import (
	"context"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/connectors/servicenow/emulator"
	"github.com/cardflow/cardflow/engine/connector"
)

// TestCreateRecordIdempotencyFieldTheTableLacks: on an instance whose
// incident table has no u_okta_id, ServiceNow drops the field from the
// create and ignores the lookup's condition on it, which then finds any
// incident. The connector must not return that incident as the one it
// created: it fails with kind invalid, naming the field. With the column
// declared, the same create is idempotent.
func TestCreateRecordIdempotencyFieldTheTableLacks(t *testing.T) {
	args := map[string]cty.Value{
		"table":             str("incident"),
		"fields":            strMap("short_description", "Approve access"),
		"idempotency_key":   str("00u8newUsEr1234abc0h7"),
		"idempotency_field": str("u_okta_id"),
	}
	t.Run("undeclared", func(t *testing.T) {
		in := newInstance(t, emulator.Options{}, nil)
		unrelated := in.insert(t, approver, map[string]string{"short_description": "printer on fire"})
		_, err := run(t, in.c, "create_record", args)
		ce := asError(t, err)
		if ce.Kind != connector.Invalid || !strings.Contains(ce.Error(), "no field u_okta_id") || !strings.Contains(ce.Error(), unrelated["number"]) {
			t.Errorf("create keyed on a missing column: %v (kind %v), want invalid naming the field and %s", err, ce.Kind, unrelated["number"])
		}
		if n := len(in.emu.Find("incident", "")); n != 1 {
			t.Errorf("%d incidents, want the unrelated one only", n)
		}
	})
	t.Run("declared", func(t *testing.T) {
		in := newInstance(t, emulator.Options{Columns: map[string][]string{"incident": {"u_okta_id"}}}, nil)
		in.insert(t, approver, map[string]string{"short_description": "printer on fire"})
		first := mustRun(t, in.c, "create_record", args)
		second := mustRun(t, in.c, "create_record", args)
		if !first.GetAttr("created").True() || second.GetAttr("created").True() ||
			first.GetAttr("sys_id").AsString() != second.GetAttr("sys_id").AsString() {
			t.Errorf("created %v then %v (%s, %s), want one record created once",
				first.GetAttr("created"), second.GetAttr("created"), first.GetAttr("sys_id").AsString(), second.GetAttr("sys_id").AsString())
		}
	})
}

// TestCheckRemoteIdempotencyField: validate --check-env reads one record
// and warns when the table lacks idempotency_field; an empty table, or a
// create without a key, tells nothing.
func TestCheckRemoteIdempotencyField(t *testing.T) {
	a, ok := descriptor.Action("create_record")
	if !ok || a.CheckRemote == nil {
		t.Fatal("create_record has no CheckRemote")
	}
	check := func(in *instance, field string, key bool) []connector.Finding {
		attrs := map[string]cty.Value{"table": str("incident"), "fields": strMap("short_description", "x"), "idempotency_field": str(field)}
		if key {
			attrs["idempotency_key"] = str("00u1")
		}
		return a.CheckRemote(context.Background(), in.c, object(t, a.Input, attrs))
	}
	empty := newInstance(t, emulator.Options{}, nil)
	if f := check(empty, "u_okta_id", true); len(f) != 0 {
		t.Errorf("empty table: %v, want no finding", f)
	}
	in := newInstance(t, emulator.Options{Columns: map[string][]string{"incident": {"u_okta_id"}}}, nil)
	in.insert(t, approver, map[string]string{"short_description": "x"})
	for _, tt := range []struct {
		field string
		key   bool
		want  bool
	}{
		{"u_okta_id", true, false},
		{"correlation_id", true, false},
		{"u_other_id", false, false},
		{"u_other_id", true, true},
	} {
		f := check(in, tt.field, tt.key)
		got := len(f) == 1 && f[0].Arg == "idempotency_field" && f[0].Summary == "No such ServiceNow field" && strings.Contains(f[0].Detail, `"`+tt.field+`"`)
		if got != tt.want || (!tt.want && len(f) != 0) {
			t.Errorf("field %s, key %v: findings %v, want a finding: %v", tt.field, tt.key, f, tt.want)
		}
	}
}
