package core

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/internal/didyoumean"
)

// rawAttrs are the attributes of a raw reply's result (rawReply).
var rawAttrs = []string{"status", "headers", "body"}

// checkRaw is the Check of a raw reply: what validate can tell, from a
// flow.return result's type and the parts of it known before the flow
// runs, that renderRaw would refuse, answering the caller 500. Known parts
// are put to renderRaw itself, one at a time, so that validate refuses
// exactly what run would; a part known only when the flow runs (a card's
// output) is checked by its type: a status of type bool can never be one,
// a number may.
func checkRaw(result cty.Value) []connector.Finding {
	result, marked := result.UnmarkDeepWithPaths()
	attrs, ok := members(result)
	if !ok {
		return []connector.Finding{rawFinding("", fmt.Sprintf("The result of a raw reply is an object { status, headers, body }, not %s.", aType(result.Type())))}
	}
	var out []connector.Finding
	for _, name := range connector.SortedKeys(attrs) {
		var problem string
		switch rawAttr(name) {
		case "status":
			problem = rawStatusProblem(name, attrs[name], isMarked(marked, name))
		case "headers":
			problem = rawHeadersProblem(name, attrs[name])
		case "body":
		default:
			problem = fmt.Sprintf("A raw reply's result has the attributes status, headers and body, not %q.%s", name, rawHint(name))
		}
		if problem != "" {
			out = append(out, rawFinding(name, problem))
		}
	}
	return out
}

// members returns the attributes of an object, or the elements of a map,
// as far as validate knows them: none for null, for a value of no known
// type or for a map whose keys are known only at run. ok is false for a
// value that is neither an object nor a map.
func members(v cty.Value) (map[string]cty.Value, bool) {
	ty := v.Type()
	switch {
	case ty == cty.DynamicPseudoType || (v.IsKnown() && v.IsNull()):
		return nil, true
	case ty.IsObjectType():
		m := make(map[string]cty.Value, len(ty.AttributeTypes()))
		for name, aty := range ty.AttributeTypes() {
			m[name] = cty.UnknownVal(aty)
			if v.IsKnown() {
				m[name] = v.GetAttr(name)
			}
		}
		return m, true
	case ty.IsMapType() && v.IsKnown():
		return v.AsValueMap(), true
	case ty.IsMapType():
		return nil, true
	}
	return nil, false
}

// rawHint suggests the attribute a misspelt name meant: a near miss, or
// one that it begins with (statusCode, as other products spell it).
func rawHint(name string) string {
	if h := didyoumean.Hint(name, rawAttrs); h != "" {
		return h
	}
	for _, a := range rawAttrs {
		if strings.HasPrefix(strings.ToLower(name), a) {
			return fmt.Sprintf(" Did you mean %q?", a)
		}
	}
	return ""
}

// rawAttr is the attribute of rawReply that name decodes into, "" for
// none: encoding/json matches names without regard to case.
func rawAttr(name string) string {
	for _, a := range rawAttrs {
		if strings.EqualFold(name, a) {
			return a
		}
	}
	return ""
}

func rawFinding(key, problem string) connector.Finding {
	return connector.Finding{Key: key, Summary: "Invalid raw reply",
		Detail: problem + " The caller of the endpoint would be answered 500 each time the flow returns this result."}
}

// isMarked reports whether the result's attribute name, or the whole
// result, carries a mark (a sensitive variable's value), which a message
// must not show.
func isMarked(marked []cty.PathValueMarks, name string) bool {
	for _, pm := range marked {
		if len(pm.Path) == 0 {
			return true
		}
		switch step := pm.Path[0].(type) {
		case cty.GetAttrStep:
			if step.Name == name {
				return true
			}
		case cty.IndexStep:
			if step.Key.Type() == cty.String && step.Key.AsString() == name {
				return true
			}
		}
	}
	return false
}

// rawStatusProblem says what is wrong with a raw reply's status (at
// attribute name): null is 200; a number or a string may be one; anything
// else never is. A sensitive status is not shown.
func rawStatusProblem(name string, v cty.Value, sensitive bool) string {
	ty := v.Type()
	switch {
	case ty == cty.DynamicPseudoType:
		return ""
	case ty != cty.Number && ty != cty.String:
		return fmt.Sprintf("The status is an HTTP status from 200 to 599, not %s.", aType(ty))
	case !v.IsWhollyKnown():
		return ""
	}
	if renders(name, v) == nil {
		return ""
	}
	if sensitive {
		return "The status, a sensitive value, is not an HTTP status from 200 to 599."
	}
	text, _ := json.Marshal(goValue(v))
	return fmt.Sprintf("The status %s is not an HTTP status from 200 to 599.", text)
}

// rawHeadersProblem says what is wrong with a raw reply's headers (at
// attribute name): a map or object of strings (numbers and booleans are
// sent as their text, null ones left out), with valid names and no line
// breaks.
func rawHeadersProblem(name string, v cty.Value) string {
	elems, ok := members(v)
	if !ok {
		return fmt.Sprintf("The headers are a map of strings such as { \"Content-Type\" = \"text/plain\" }, not %s.", aType(v.Type()))
	}
	if ty := v.Type(); ty.IsMapType() && !v.IsKnown() {
		// Which headers is known only at run; what each is, now.
		if !headerType(ty.ElementType()) {
			return fmt.Sprintf("The value of each header is a string, not %s.", aType(ty.ElementType()))
		}
		return ""
	}
	for _, h := range connector.SortedKeys(elems) {
		hv := elems[h]
		if !headerType(hv.Type()) {
			return fmt.Sprintf("The value of header %s is a string, not %s.", h, aType(hv.Type()))
		}
		if !hv.IsWhollyKnown() {
			hv = cty.NullVal(cty.String) // the name is checked all the same
		}
		if err := renders(name, cty.ObjectVal(map[string]cty.Value{h: hv})); err != nil {
			return fmt.Sprintf("In headers, %s.", strings.TrimPrefix(err.Error(), "headers: "))
		}
	}
	return ""
}

// headerType reports whether a header's value may be of type ty.
func headerType(ty cty.Type) bool {
	return ty == cty.DynamicPseudoType || ty == cty.String || ty == cty.Number || ty == cty.Bool
}

// renders returns renderRaw's error for a result that is v at attribute
// name alone, nil when renderRaw takes it (or v cannot be put to it).
func renders(name string, v cty.Value) error {
	b, err := json.Marshal(map[string]any{name: goValue(v)})
	if err != nil {
		return nil
	}
	_, err = renderRaw(b)
	return err
}

// goValue is v as the flow's result carries it to renderRaw.
func goValue(v cty.Value) any {
	g, err := connector.ToGo(v)
	if err != nil {
		return nil
	}
	return g
}

// aType names a type with its article: "a string", "an object".
func aType(ty cty.Type) string {
	name := ty.FriendlyName()
	if strings.ContainsAny(name[:1], "aeiou") {
		return "an " + name
	}
	return "a " + name
}
