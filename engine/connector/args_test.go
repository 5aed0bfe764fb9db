package connector_test

import (
	"strings"
	"testing"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"
)

var argsSchema = connector.Schema{
	{Name: "user", Type: cty.String, Required: true},
	{Name: "send_email", Type: cty.Bool, Default: cty.True},
	{Name: "limit", Type: cty.Number},
	{Name: "groups", Type: cty.List(cty.String)},
	{Name: "fields", Type: cty.Map(cty.String)},
	{Name: "body", Type: cty.DynamicPseudoType},
}

func TestArgsOf(t *testing.T) {
	in, err := connector.ArgsOf(argsSchema, cty.ObjectVal(map[string]cty.Value{
		"user":   cty.StringVal("ada@example.com"),
		"limit":  cty.StringVal("25"), // converted to the schema's type
		"groups": cty.TupleVal([]cty.Value{cty.StringVal("Employees"), cty.StringVal("VPN")}),
		"fields": cty.ObjectVal(map[string]cty.Value{"short_description": cty.StringVal("Approve"), "urgency": cty.NumberIntVal(2)}),
	}))
	if err != nil {
		t.Fatal(err)
	}
	if got := in.String("user"); got != "ada@example.com" {
		t.Errorf(`String("user") = %q`, got)
	}
	if got := in.Bool("send_email", false); !got {
		t.Error(`Bool("send_email") = false, want the default true`)
	}
	if got := in.Int("limit", 0); got != 25 {
		t.Errorf(`Int("limit") = %d, want 25`, got)
	}
	if diff := cmp.Diff([]string{"Employees", "VPN"}, in.Strings("groups")); diff != "" {
		t.Errorf("Strings(groups) (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]string{"short_description": "Approve", "urgency": "2"}, in.StringMap("fields")); diff != "" {
		t.Errorf("StringMap(fields) (-want +got):\n%s", diff)
	}
	if v := in.Get("body"); !v.IsNull() {
		t.Errorf(`Get("body") = %#v, want null`, v)
	}
	if v := in.Get("nonesuch"); !v.IsNull() || v.Type() != cty.DynamicPseudoType {
		t.Errorf(`Get("nonesuch") = %#v, want a dynamic null`, v)
	}
	if in.String("nonesuch") != "" || in.Int("nonesuch", 7) != 7 || in.Strings("nonesuch") != nil {
		t.Error("the getters of an argument the action lacks answer something")
	}

	obj := in.Object()
	if !obj.Type().Equals(argsSchema.ObjectType()) {
		t.Fatalf("Object() is %s, want %s", obj.Type().FriendlyName(), argsSchema.ObjectType().FriendlyName())
	}
	if !obj.GetAttr("limit").RawEquals(cty.NumberIntVal(25)) || !obj.GetAttr("send_email").RawEquals(cty.True) {
		t.Errorf("Object() = %#v", obj)
	}
}

func TestArgsOfInvalid(t *testing.T) {
	_, err := connector.ArgsOf(argsSchema, cty.ObjectVal(map[string]cty.Value{"limit": cty.StringVal("many")}))
	if err == nil || !strings.HasPrefix(err.Error(), "limit: ") {
		t.Fatalf("err = %v, want one about limit", err)
	}
}

func TestArgsGettersUnmark(t *testing.T) {
	in, err := connector.ArgsOf(argsSchema, cty.ObjectVal(map[string]cty.Value{
		"user":   cty.StringVal("ada").Mark("sensitive"),
		"groups": cty.ListVal([]cty.Value{cty.StringVal("a").Mark("sensitive")}),
	}))
	if err != nil {
		t.Fatal(err)
	}
	if !in.Get("user").IsMarked() {
		t.Error("Get dropped the mark ArgsOf kept")
	}
	if in.String("user") != "ada" || len(in.Strings("groups")) != 1 {
		t.Errorf("getters of marked values: %q %q", in.String("user"), in.Strings("groups"))
	}
}

func TestNewArgs(t *testing.T) {
	schema := argsSchema[:2]
	in := connector.NewArgs(schema, []cty.Value{cty.StringVal("ada"), cty.False})
	if in.String("user") != "ada" || in.Bool("send_email", true) {
		t.Errorf("NewArgs: %#v", in.Object())
	}
	if len(in.Schema()) != 2 {
		t.Errorf("Schema() has %d attributes", len(in.Schema()))
	}
	var zero connector.Args
	if !zero.Object().RawEquals(cty.EmptyObjectVal) || !zero.Get("x").IsNull() {
		t.Error("the zero Args is not empty")
	}
	defer func() {
		if recover() == nil {
			t.Error("NewArgs with fewer values than attributes did not panic")
		}
	}()
	connector.NewArgs(schema, []cty.Value{cty.StringVal("ada")})
}

// TestArgsOfKeepsExplicitNulls: as the runtime does, a default fills in an
// argument the card leaves out, not one it sets to null.
func TestArgsOfKeepsExplicitNulls(t *testing.T) {
	in, err := connector.ArgsOf(argsSchema, cty.ObjectVal(map[string]cty.Value{
		"user":       cty.StringVal("ada"),
		"send_email": cty.NullVal(cty.Bool),
	}))
	if err != nil {
		t.Fatal(err)
	}
	if v := in.Get("send_email"); !v.IsNull() {
		t.Errorf("send_email given as null = %#v, want null", v)
	}
	if got := in.Bool("send_email", false); got {
		t.Error("Bool of a null argument did not answer its def")
	}
}
