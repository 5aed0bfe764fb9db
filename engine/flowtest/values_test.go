package flowtest

import (
	"testing"
	"time"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"
)

func TestSubset(t *testing.T) {
	input := cty.ObjectVal(map[string]cty.Value{
		"user":  cty.StringVal("00u1"),
		"group": cty.StringVal("VPN Users"),
		"count": cty.NumberIntVal(2),
		"fields": cty.MapVal(map[string]cty.Value{
			"state":          cty.StringVal("7"),
			"correlation_id": cty.StringVal("00u1"),
		}),
		"tags": cty.ListVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b")}),
		"note": cty.NullVal(cty.String),
	})
	tests := []struct {
		name string
		want cty.Value
		ok   bool
	}{
		{"empty", cty.EmptyObjectVal, true},
		{"one attribute", cty.ObjectVal(map[string]cty.Value{"group": cty.StringVal("VPN Users")}), true},
		{"other value", cty.ObjectVal(map[string]cty.Value{"group": cty.StringVal("Employees")}), false},
		{"unknown attribute", cty.ObjectVal(map[string]cty.Value{"grup": cty.StringVal("VPN Users")}), false},
		{"number as string", cty.ObjectVal(map[string]cty.Value{"count": cty.StringVal("2")}), true},
		{"nested map by key", cty.ObjectVal(map[string]cty.Value{"fields": cty.ObjectVal(map[string]cty.Value{"state": cty.StringVal("7")})}), true},
		{"nested map other value", cty.ObjectVal(map[string]cty.Value{"fields": cty.ObjectVal(map[string]cty.Value{"state": cty.StringVal("6")})}), false},
		{"nested missing key", cty.ObjectVal(map[string]cty.Value{"fields": cty.ObjectVal(map[string]cty.Value{"number": cty.StringVal("INC1")})}), false},
		{"list equal", cty.ObjectVal(map[string]cty.Value{"tags": cty.TupleVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b")})}), true},
		{"list prefix is not equal", cty.ObjectVal(map[string]cty.Value{"tags": cty.TupleVal([]cty.Value{cty.StringVal("a")})}), false},
		{"null matches null", cty.ObjectVal(map[string]cty.Value{"note": cty.NullVal(cty.DynamicPseudoType)}), true},
		{"null does not match a value", cty.ObjectVal(map[string]cty.Value{"user": cty.NullVal(cty.String)}), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := subset(tt.want, input); got != tt.ok {
				t.Errorf("subset(%s) = %v, want %v", show(tt.want), got, tt.ok)
			}
		})
	}
}

func TestConformValueFillsNestedObjects(t *testing.T) {
	ty := cty.Object(map[string]cty.Type{
		"id":      cty.String,
		"profile": cty.Object(map[string]cty.Type{"department": cty.String, "address": cty.Object(map[string]cty.Type{"city": cty.String})}),
		"groups":  cty.List(cty.String),
	})
	v, err := conformValue(cty.ObjectVal(map[string]cty.Value{"id": cty.StringVal("00u1")}), ty)
	if err != nil {
		t.Fatal(err)
	}
	if got := v.GetAttr("profile").GetAttr("address").GetAttr("city"); !got.IsNull() || got.Type() != cty.String {
		t.Errorf("profile.address.city = %#v, want a null string", got)
	}
	if !v.GetAttr("groups").IsNull() {
		t.Errorf("groups = %#v, want null", v.GetAttr("groups"))
	}
}

func TestExtraAttributes(t *testing.T) {
	ty := cty.Object(map[string]cty.Type{"id": cty.String, "profile": cty.Object(map[string]cty.Type{"login": cty.String})})
	v := cty.ObjectVal(map[string]cty.Value{
		"id":      cty.StringVal("x"),
		"stauts":  cty.StringVal("ACTIVE"),
		"profile": cty.ObjectVal(map[string]cty.Value{"login": cty.StringVal("a"), "logni": cty.StringVal("b")}),
	})
	if diff := cmp.Diff([]string{"profile.logni", "stauts"}, extraAttributes(v, ty, "")); diff != "" {
		t.Error(diff)
	}
}

func TestMockError(t *testing.T) {
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	obj := func(attrs map[string]cty.Value) cty.Value { return cty.ObjectVal(attrs) }
	tests := []struct {
		name    string
		in      cty.Value
		kind    connector.Kind
		retryAt time.Time
		wantErr bool
	}{
		{"status 429", obj(map[string]cty.Value{"status": cty.NumberIntVal(429), "retry_after": cty.StringVal("30s")}), connector.RateLimited, now.Add(30 * time.Second), false},
		{"status 503", obj(map[string]cty.Value{"status": cty.NumberIntVal(503)}), connector.Transient, time.Time{}, false},
		{"kind wins", obj(map[string]cty.Value{"status": cty.NumberIntVal(500), "kind": cty.StringVal("permission")}), connector.Permission, time.Time{}, false},
		{"nothing", cty.EmptyObjectVal, connector.Other, time.Time{}, false},
		{"bad kind", obj(map[string]cty.Value{"kind": cty.StringVal("rate_limit")}), 0, time.Time{}, true},
		{"bad duration", obj(map[string]cty.Value{"retry_after": cty.StringVal("soon")}), 0, time.Time{}, true},
		{"unknown attribute", obj(map[string]cty.Value{"statsu": cty.NumberIntVal(429)}), 0, time.Time{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := mockError(tt.in, "okta.read_user", now)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if e.Kind != tt.kind || !e.RetryAt.Equal(tt.retryAt) || e.Op != "okta.read_user" || e.Message == "" {
				t.Errorf("got %+v", e)
			}
		})
	}
}

func TestFakeClockSkipsSleeps(t *testing.T) {
	start := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	c := newFakeClock(start)
	begin := time.Now()
	if err := c.Sleep(t.Context(), time.Hour); err != nil {
		t.Fatal(err)
	}
	if time.Since(begin) > time.Second {
		t.Error("Sleep slept")
	}
	if !c.Now().Equal(start.Add(time.Hour)) || c.Slept() != time.Hour {
		t.Errorf("now %s, slept %s", c.Now(), c.Slept())
	}
}
