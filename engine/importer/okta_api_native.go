package importer

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/engine/connector"
)

// A Custom API Action card whose request is one a cardflow Okta action
// makes becomes that action rather than okta.api_call, when what later
// cards read of Okta's answer (its status, the fields of its body) can be
// read from the action's output exactly. Otherwise it stays okta.api_call.

// apiRoute is an Okta Management API request that an Okta action makes.
type apiRoute struct {
	method string
	// path is the request's path; each {} is a value the card computes,
	// which becomes the argument of the same position in args.
	path   string
	action string
	args   []string
	// body reads the action's arguments from the request body (an HCL
	// object); nil when the request has none.
	body func(obj map[string]string) (map[string]string, bool)
	// fixed arguments, as HCL: Okta's defaults where the action's differ.
	fixed  map[string]string
	status int
	// raw maps the dotted paths of Okta's response body to paths of the
	// action's output; nil when Okta answers with no body. An entry whose
	// output is an object reads deeper paths in it.
	raw  map[string]string
	note string
}

var rawUser = map[string]string{
	"id": ".id", "status": ".status", "created": ".created", "activated": ".activated",
	"statusChanged": ".status_changed", "lastLogin": ".last_login", "lastUpdated": ".last_updated",
	"passwordChanged": ".password_changed", "profile": ".profile",
}

var rawGroup = map[string]string{"id": ".id", "type": ".type", "profile.name": ".name", "profile.description": ".description"}

// lifecycle is the note of the lifecycle actions, which succeed where
// Okta's call fails because there is nothing to do.
const lifecycle = "Okta's call fails for a user already in that status; the action succeeds with changed = false."

var apiRoutes = []apiRoute{
	{method: "GET", path: "/api/v1/users/{}", action: "okta.read_user", args: []string{"user"}, status: 200, raw: rawUser},
	{method: "GET", path: "/api/v1/groups/{}", action: "okta.read_group", args: []string{"group"}, status: 200, raw: rawGroup},
	{method: "POST", path: "/api/v1/groups", action: "okta.create_group", body: groupBody, status: 200, raw: rawGroup,
		note: "okta.create_group returns the group that has this name already (changed = false), where Okta refuses a second group of the same name."},
	{method: "PUT", path: "/api/v1/groups/{}/users/{}", action: "okta.add_user_to_group", args: []string{"group", "user"}, status: 204},
	{method: "DELETE", path: "/api/v1/groups/{}/users/{}", action: "okta.remove_user_from_group", args: []string{"group", "user"}, status: 204},
	{method: "POST", path: "/api/v1/apps/{}/users", action: "okta.assign_user_to_app", args: []string{"app"}, body: appUserBody, status: 200,
		raw: map[string]string{"id": ".user_id", "status": ".status", "scope": `="USER"`}},
	{method: "DELETE", path: "/api/v1/apps/{}/users/{}", action: "okta.remove_user_from_app", args: []string{"app", "user"}, status: 204},
	{method: "PUT", path: "/api/v1/apps/{}/groups/{}", action: "okta.assign_group_to_app", args: []string{"app", "group"}, status: 200,
		raw: map[string]string{"id": ".group_id"}},
	{method: "DELETE", path: "/api/v1/apps/{}/groups/{}", action: "okta.remove_group_from_app", args: []string{"app", "group"}, status: 204},
	// Okta emails the activation link unless sendEmail=false.
	{method: "POST", path: "/api/v1/users/{}/lifecycle/activate", action: "okta.activate_user", args: []string{"user"},
		fixed: map[string]string{"send_email": "true"}, status: 200, raw: map[string]string{}, note: lifecycle},
	{method: "POST", path: "/api/v1/users/{}/lifecycle/deactivate", action: "okta.deactivate_user", args: []string{"user"}, status: 200, raw: map[string]string{}, note: lifecycle},
	{method: "POST", path: "/api/v1/users/{}/lifecycle/suspend", action: "okta.suspend_user", args: []string{"user"}, status: 200, raw: map[string]string{}, note: lifecycle},
	{method: "POST", path: "/api/v1/users/{}/lifecycle/unsuspend", action: "okta.unsuspend_user", args: []string{"user"}, status: 200, raw: map[string]string{}, note: lifecycle},
	{method: "POST", path: "/api/v1/users/{}/lifecycle/unlock", action: "okta.unlock_user", args: []string{"user"}, status: 200, raw: map[string]string{}, note: lifecycle},
	{method: "POST", path: "/api/v1/users/{}/lifecycle/reset_factors", action: "okta.reset_factors", args: []string{"user"}, status: 200, raw: map[string]string{}},
	{method: "DELETE", path: "/api/v1/users/{}/sessions", action: "okta.clear_user_sessions", args: []string{"user"}, status: 204},
}

// shown is the route's path with its values named: /api/v1/users/{user}.
func (r *apiRoute) shown() string {
	parts := strings.Split(r.path, "{}")
	var b strings.Builder
	for i, p := range parts {
		b.WriteString(p)
		if i < len(parts)-1 {
			b.WriteString("{" + r.args[i] + "}")
		}
	}
	return b.String()
}

// groupBody reads POST /api/v1/groups' { profile = { name, description } }.
func groupBody(obj map[string]string) (map[string]string, bool) {
	profile, ok := objectFields(obj["profile"])
	if len(obj) != 1 || !ok || profile["name"] == "" {
		return nil, false
	}
	args := map[string]string{"name": profile["name"]}
	for k, v := range profile {
		switch k {
		case "name":
		case "description":
			args["description"] = v
		default:
			return nil, false
		}
	}
	return args, true
}

// appUserBody reads POST /api/v1/apps/{id}/users' { id, scope = "USER" }:
// a direct assignment with no app profile.
func appUserBody(obj map[string]string) (map[string]string, bool) {
	if obj["id"] == "" {
		return nil, false
	}
	for k, v := range obj {
		if k != "id" && !(k == "scope" && v == `"USER"`) {
			return nil, false
		}
	}
	return map[string]string{"user": obj["id"]}, true
}

// nativeAPICall returns the mapping of a Custom API Action card to the
// Okta action its request is, or nil when it is none or when later cards
// read something of the answer the action's output does not have.
func (fc *flowConv) nativeAPICall(m *Method) *actionMapping {
	method, _ := fc.inputLiteral(m, "parameters", "requestType")
	path, _, ok := fc.inputByKey(m, "Request", "Relative URL")
	if !ok || !fc.plainRequest(m) {
		return nil
	}
	for i := range apiRoutes {
		r := &apiRoutes[i]
		if r.method != method || !fc.hasAction(r.action) {
			continue
		}
		vals, ok := matchPath(path, r.path)
		if !ok || len(vals) != len(r.args) {
			continue
		}
		args := map[string]string{}
		for i, a := range r.args {
			args[a] = vals[i]
		}
		body, _, hasBody := fc.inputByKey(m, "Request", "Body")
		if hasBody != (r.body != nil) {
			continue
		}
		if hasBody {
			obj, ok := objectFields(body)
			if !ok {
				obj, ok = jsonTextFields(body)
			}
			if !ok {
				continue
			}
			bargs, ok := r.body(obj)
			if !ok {
				continue
			}
			for k, v := range bargs {
				args[k] = v
			}
		}
		if mp := fc.routeMapping(m, r, args); mp != nil {
			return mp
		}
	}
	return nil
}

// plainRequest reports whether the card sends nothing but its path and
// body: no query, and no headers beyond JSON's Accept and Content-Type.
func (fc *flowConv) plainRequest(m *Method) bool {
	if _, _, ok := fc.inputByKey(m, "Request", "Query"); ok {
		return false
	}
	_, f, ok := fc.inputByKey(m, "Request", "Headers")
	if !ok {
		return true
	}
	h, isMap := f.Data.(map[string]any)
	if !isMap || len(fc.sources[m.UUID+"/"+f.ID]) > 0 {
		return false
	}
	for k, v := range h {
		k = strings.ToLower(k)
		if (k != "accept" && k != "content-type") || v != "application/json" {
			return false
		}
	}
	return true
}

// routeMapping builds the mapping of m to r's action with the argument
// expressions args; nil when a later card reads what the action's output
// does not have.
func (fc *flowConv) routeMapping(m *Method, r *apiRoute, args map[string]string) *actionMapping {
	outputs := map[string]string{"Status Code": fmt.Sprintf("=%d", r.status), "Body": "__null"}
	for _, o := range m.Outputs {
		if !fc.wired(m, o) {
			continue
		}
		switch o.Key {
		case "Status Code":
		case "Body":
			if !fc.bodyReadsFit(m, o, r) {
				return nil
			}
			outputs["Body"] = "=" + rawRecord(r.raw)
		default:
			// Okta's headers, or an output this table does not know.
			return nil
		}
	}
	inputs := map[string]string{}
	for _, f := range m.Inputs {
		inputs[f.Group+"/"+f.Key] = "-"
	}
	return &actionMapping{
		action: r.action, connection: "okta", inputs: inputs, outputs: outputs, fixed: r.fixed,
		note: strings.TrimSpace(fmt.Sprintf("Custom API Action %s %s became %s. %s", r.method, r.shown(), r.action, r.note)),
		build: func(fc *flowConv, m *Method, b *block) bool {
			// Path values in path order, then the body's arguments.
			for _, k := range r.args {
				b.set(k, args[k])
			}
			for _, k := range slices.Sorted(maps.Keys(args)) {
				if !slices.Contains(r.args, k) {
					b.set(k, args[k])
				}
			}
			return true
		},
	}
}

// matchPath matches the HCL expression of a request path against route,
// whose {} each match one path segment computed by an interpolation. It
// returns the interpolations' sources, in order.
func matchPath(expr, route string) ([]string, bool) {
	parts, ok := templateParts(expr)
	if !ok {
		return nil, false
	}
	// The path with each interpolation as one NUL, to split on "/".
	var b strings.Builder
	var vals []string
	for _, p := range parts {
		if p.expr != "" {
			b.WriteByte(0)
			vals = append(vals, p.expr)
		} else {
			b.WriteString(p.text)
		}
	}
	got, want := strings.Split(b.String(), "/"), strings.Split(route, "/")
	if len(got) != len(want) {
		return nil, false
	}
	n := 0
	for i, w := range want {
		switch {
		case w == "{}" && got[i] == "\x00":
			n++
		case w != got[i]:
			return nil, false
		}
	}
	return vals, n == len(vals)
}

type templatePart struct{ text, expr string }

// templateParts splits a string expression into its literal text and the
// source of its interpolations; ok is false for other expressions.
func templateParts(expr string) ([]templatePart, bool) {
	src := []byte(expr)
	e, diags := hclsyntax.ParseExpression(src, "path.hcl", hcl.InitialPos)
	if diags.HasErrors() {
		return nil, false
	}
	var exprs []hclsyntax.Expression
	switch t := e.(type) {
	case *hclsyntax.TemplateExpr:
		exprs = t.Parts
	case *hclsyntax.LiteralValueExpr:
		exprs = []hclsyntax.Expression{t}
	default:
		return nil, false
	}
	var parts []templatePart
	for _, p := range exprs {
		if lit, ok := p.(*hclsyntax.LiteralValueExpr); ok && lit.Val.Type() == cty.String {
			parts = append(parts, templatePart{text: lit.Val.AsString()})
			continue
		}
		parts = append(parts, templatePart{expr: string(p.Range().SliceBytes(src))})
	}
	return parts, true
}

// objectFields returns the source of each attribute of an HCL object
// constructor with plain keys; ok is false for any other expression.
func objectFields(expr string) (map[string]string, bool) {
	src := []byte(expr)
	e, diags := hclsyntax.ParseExpression(src, "body.hcl", hcl.InitialPos)
	obj, ok := e.(*hclsyntax.ObjectConsExpr)
	if diags.HasErrors() || !ok {
		return nil, false
	}
	out := map[string]string{}
	for _, it := range obj.Items {
		k, diags := it.KeyExpr.Value(nil)
		if diags.HasErrors() || k.Type() != cty.String || !k.IsKnown() || k.IsNull() {
			return nil, false
		}
		out[k.AsString()] = string(it.ValueExpr.Range().SliceBytes(src))
	}
	return out, true
}

// jsonTextFields is objectFields for a body written as JSON text (a
// Compose of JSON): the text's object with each value as HCL, the
// interpolations of the text where they were. ok is false for any text
// that is not a JSON object of such values.
func jsonTextFields(expr string) (map[string]string, bool) {
	parts, ok := templateParts(expr)
	if !ok {
		return nil, false
	}
	// Each interpolation becomes a marker the JSON decoder keeps in the
	// string it is in.
	var b strings.Builder
	var exprs []string
	for _, p := range parts {
		if p.expr != "" {
			fmt.Fprintf(&b, "\ue000%d\ue001", len(exprs))
			exprs = append(exprs, p.expr)
		} else {
			b.WriteString(p.text)
		}
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(b.String()), &v); err != nil {
		return nil, false
	}
	out := map[string]string{}
	for k, x := range v {
		e, ok := jsonValueHCL(x, exprs)
		if !ok {
			return nil, false
		}
		out[k] = e
	}
	return out, true
}

// markerRE finds the markers: private-use characters, which JSON strings
// may hold (control characters they may not).
var markerRE = regexp.MustCompile("\ue000([0-9]+)\ue001")

// jsonValueHCL writes a decoded JSON value as HCL, its strings as
// templates of the interpolations their markers stand for.
func jsonValueHCL(x any, exprs []string) (string, bool) {
	switch v := x.(type) {
	case string:
		var parts, es []string
		last := 0
		for _, m := range markerRE.FindAllStringSubmatchIndex(v, -1) {
			n, _ := strconv.Atoi(v[m[2]:m[3]])
			parts = append(parts, v[last:m[0]])
			es = append(es, exprs[n])
			last = m[1]
		}
		parts = append(parts, v[last:])
		if len(es) == 1 && parts[0] == "" && parts[1] == "" {
			return es[0], true
		}
		return template(parts, es), true
	case map[string]any:
		keys := connector.SortedKeys(v)
		vals := map[string]string{}
		for _, k := range keys {
			e, ok := jsonValueHCL(v[k], exprs)
			if !ok {
				return "", false
			}
			vals[k] = e
		}
		return inlineObject(keys, vals), true
	case nil, bool, float64:
		return literal(v), true
	}
	return "", false
}
