package servicenow_test

import (
	"context"
	"testing"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"go.uber.org/goleak"

	"github.com/cardflow/cardflow/connectors/servicenow"
	"github.com/cardflow/cardflow/engine/connector"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// object builds a value of schema's ObjectType from attrs, filling absent
// attributes with their defaults or nulls, as the engine does.
func object(t testing.TB, schema connector.Schema, attrs map[string]cty.Value) cty.Value {
	t.Helper()
	vals := make(map[string]cty.Value, len(schema))
	for _, a := range schema {
		v, ok := attrs[a.Name]
		switch {
		case ok:
		case a.Default != cty.NilVal:
			v = a.Default
		default:
			v = cty.NullVal(a.Type)
		}
		vals[a.Name] = v
	}
	for name := range attrs {
		if _, ok := schema.Lookup(name); !ok {
			t.Fatalf("no argument %q in the schema", name)
		}
	}
	return cty.ObjectVal(vals)
}

// args returns the arguments attrs of an action with input schema, as
// the runtime would pass them.
func args(t testing.TB, schema connector.Schema, attrs map[string]cty.Value) connector.Args {
	t.Helper()
	in, err := connector.ArgsOf(schema, object(t, schema, attrs))
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// open provisions a connection to url with the given settings.
func open(t testing.TB, url string, attrs map[string]cty.Value) *servicenow.Client {
	t.Helper()
	all := map[string]cty.Value{"instance_url": cty.StringVal(url)}
	for k, v := range attrs {
		all[k] = v
	}
	c, err := servicenow.Open(object(t, servicenow.New().Connection, all))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func basicAuth(user, password string) map[string]cty.Value {
	return map[string]cty.Value{"username": cty.StringVal(user), "password": cty.StringVal(password)}
}

// descriptor is the connector as the engine holds it: built once, at start.
var descriptor = servicenow.New()

// run calls action name with attrs.
func run(t testing.TB, c *servicenow.Client, name string, attrs map[string]cty.Value) (cty.Value, error) {
	t.Helper()
	a, ok := descriptor.Action(name)
	if !ok {
		t.Fatalf("no action %s", name)
	}
	v, err := a.Do(context.Background(), &connector.Call{Client: c, Input: args(t, a.Input, attrs)})
	if err == nil && !v.Type().Equals(a.Output) {
		// Dynamic attributes (api_call's body) make exact equality too strict.
		if _, cerr := convertTo(v, a.Output); cerr != nil {
			t.Fatalf("%s: output of type %s does not conform to %s", name, v.Type().FriendlyName(), a.Output.FriendlyName())
		}
	}
	return v, err
}

// mustRun is run that fails the test on an error.
func mustRun(t testing.TB, c *servicenow.Client, name string, attrs map[string]cty.Value) cty.Value {
	t.Helper()
	v, err := run(t, c, name, attrs)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return v
}

func str(s string) cty.Value { return cty.StringVal(s) }

func strMap(kv ...string) cty.Value {
	m := map[string]cty.Value{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = cty.StringVal(kv[i+1])
	}
	if len(m) == 0 {
		return cty.MapValEmpty(cty.String)
	}
	return cty.MapVal(m)
}

// field returns v.record[name] of a record output.
func field(v cty.Value, name string) string {
	rec := v.GetAttr("record")
	if !rec.HasIndex(cty.StringVal(name)).True() {
		return ""
	}
	return rec.Index(cty.StringVal(name)).AsString()
}

// kindOf asserts err is a *connector.Error and returns it.
func asError(t testing.TB, err error) *connector.Error {
	t.Helper()
	ce, ok := err.(*connector.Error)
	if !ok {
		t.Fatalf("error %v (%T) is not a *connector.Error", err, err)
	}
	return ce
}

func convertTo(v cty.Value, ty cty.Type) (cty.Value, error) { return convert.Convert(v, ty) }
