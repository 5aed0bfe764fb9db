package lang

import (
	"encoding/json"
	"fmt"
	"math/big"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/parser"
	"github.com/expr-lang/expr/vm"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// Predicate is a compiled expr-lang condition (a card's `if`, a trigger's
// `filter`).
type Predicate struct {
	Source string
	Range  hcl.Range
	// The runtime program is compiled on first use: validate checks
	// thousands of predicates and evaluates none.
	once    sync.Once
	program *vm.Program
	err     error
}

// CompilePredicate type-checks src against env (name → cty type of each
// top-level variable: trigger, card, var, each) and compiles it for
// evaluation. Syntax errors, unknown fields and non-boolean results are
// diagnostics on rng.
func CompilePredicate(src string, rng hcl.Range, env map[string]cty.Type) (*Predicate, hcl.Diagnostics) {
	if diags := CheckExpr(src, rng, onlyNamedCards(src, rng, env), true, conditionAbout); diags.HasErrors() {
		return nil, diags
	}
	return &Predicate{Source: src, Range: rng}, nil
}

// onlyNamedCards narrows env's card object to the cards src names, when it
// uses card only as card.<name>: type-checking builds a Go struct type of
// the environment, and the outputs of every earlier card make it large
// while a condition reads one or two.
func onlyNamedCards(src string, rng hcl.Range, env map[string]cty.Type) map[string]cty.Type {
	cards, ok := env["card"]
	if !ok || !cards.IsObjectType() {
		return env
	}
	refs, exact := predicateRefs(src, rng)
	if !exact {
		return env
	}
	atys := map[string]cty.Type{}
	for _, r := range refs {
		if r.Root == "card" && cards.HasAttribute(r.Name) {
			atys[r.Name] = cards.AttributeType(r.Name)
		} else if r.Root == "card" {
			return env // an unknown card: let the checker name it
		}
	}
	narrowed := make(map[string]cty.Type, len(env))
	for k, v := range env {
		narrowed[k] = v
	}
	narrowed["card"] = cty.Object(atys)
	return narrowed
}

const conditionAbout = "Conditions are expr-lang expressions over trigger, card, var and each that return true or false."

// CheckExpr type-checks the expr-lang expression src, written at rng,
// against env. With wantBool it must return a boolean (a condition). about
// is a sentence for the Detail saying what the expression is.
func CheckExpr(src string, rng hcl.Range, env map[string]cty.Type, wantBool bool, about string) hcl.Diagnostics {
	typed := reflect.New(envStruct(env)).Elem().Interface()
	opts := []expr.Option{expr.Env(typed)}
	if wantBool {
		opts = append(opts, expr.AsBool())
	}
	if _, err := expr.Compile(src, opts...); err != nil {
		return hcl.Diagnostics{exprDiag(src, rng, err, env, wantBool, about)}
	}
	return nil
}

// compile builds the runtime program. The checked program reads structs;
// the runtime one reads the maps that Eval builds, so it is compiled
// untyped.
func (p *Predicate) compile() {
	p.program, p.err = expr.Compile(p.Source, expr.AsBool(), expr.AllowUndefinedVariables())
}

// Eval evaluates the predicate over env (name → value).
func (p *Predicate) Eval(env map[string]cty.Value) (bool, error) {
	p.once.Do(p.compile)
	if p.err != nil {
		return false, fmt.Errorf("compiling %q: %w", p.Source, p.err)
	}
	m := make(map[string]any, len(env))
	for k, v := range env {
		m[k] = ExprValue(v)
	}
	out, err := expr.Run(p.program, m)
	if err != nil {
		return false, fmt.Errorf("evaluating %q: %w", p.Source, err)
	}
	b, ok := out.(bool)
	if !ok {
		return false, fmt.Errorf("%q returned %T, not a bool", p.Source, out)
	}
	return b, nil
}

func exprDiag(src string, rng hcl.Range, err error, env map[string]cty.Type, wantBool bool, about string) *hcl.Diagnostic {
	msg := err.Error()
	subject := rng
	var fe *file.Error
	if ok := asFileError(err, &fe); ok {
		msg = fe.Message
		subject = narrow(rng, src, fe.Column)
	}
	hint := ""
	if i := strings.Index(msg, " has no field "); i >= 0 {
		field := strings.TrimSpace(msg[i+len(" has no field "):])
		msg = fmt.Sprintf("there is no field %q here", field)
		hint = didYouMean(field, receiverFields(src, fe, env))
		if fe != nil {
			subject = narrowField(rng, src, fe.Column, field)
		}
	} else if name, ok := strings.CutPrefix(msg, "unknown name "); ok {
		msg = fmt.Sprintf("there is nothing called %q here", name)
		hint = didYouMean(name, fieldNames(env))
	}
	what := "expression"
	if wantBool {
		what = "condition"
	}
	summary := "Invalid " + what
	switch {
	case strings.Contains(msg, "expected bool"):
		summary = "Condition is not a boolean"
	case strings.Contains(msg, "nothing called"), strings.Contains(msg, "no field"), strings.Contains(msg, "undefined"):
		summary = "Unknown field in " + what
	case strings.Contains(msg, "unexpected token"), strings.Contains(msg, "unexpected"), strings.Contains(msg, "literal not terminated"):
		summary = capitalize(what) + " syntax error"
	}
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  summary,
		Detail:   fmt.Sprintf("%s.%s %s", capitalize(strings.TrimSuffix(msg, ".")), hint, about),
		Subject:  subject.Ptr(),
	}
}

// receiverFields returns the attribute names of the object a failing
// field access was applied to (card.read_user in card.read_user.stauts),
// resolved from the source before the error's column; all of env's names
// when that path cannot be followed.
func receiverFields(src string, fe *file.Error, env map[string]cty.Type) []string {
	if fe == nil || fe.Column <= 0 || fe.Column > len(src) {
		return fieldNames(env)
	}
	before := src[:fe.Column]
	start := len(before)
	for start > 0 && (isIdentByte(before[start-1]) || before[start-1] == '.') {
		start--
	}
	path := strings.Split(strings.Trim(before[start:], "."), ".")
	ty, ok := env[path[0]]
	for _, step := range path[1:] {
		if !ok || !ty.IsObjectType() || !ty.HasAttribute(step) {
			return fieldNames(env)
		}
		ty = ty.AttributeType(step)
	}
	if !ok || !ty.IsObjectType() {
		return fieldNames(env)
	}
	names := make([]string, 0, len(ty.AttributeTypes()))
	for n := range ty.AttributeTypes() {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func isIdentByte(b byte) bool {
	return b == '_' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
}

// fieldNames returns every name in env and its object types, for
// did-you-mean suggestions on unknown fields.
func fieldNames(env map[string]cty.Type) []string {
	seen := map[string]bool{}
	var walk func(ty cty.Type, depth int)
	walk = func(ty cty.Type, depth int) {
		switch {
		case depth > 4:
		case ty.IsObjectType():
			for name, aty := range ty.AttributeTypes() {
				seen[name] = true
				walk(aty, depth+1)
			}
		case ty.IsListType() || ty.IsSetType() || ty.IsMapType():
			walk(ty.ElementType(), depth+1)
		}
	}
	for name, ty := range env {
		seen[name] = true
		walk(ty, 0)
	}
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func asFileError(err error, target **file.Error) bool {
	fe, ok := err.(*file.Error)
	if ok {
		*target = fe
	}
	return ok
}

// narrow points at column col (0-based, in runes) of a quoted string
// literal's content when the literal is on one line.
func narrow(rng hcl.Range, src string, col int) hcl.Range {
	if rng.Start.Line != rng.End.Line || col < 0 || col > len(src) {
		return rng
	}
	start := rng.Start
	start.Column += 1 + col
	start.Byte += 1 + col
	end := start
	end.Column++
	end.Byte++
	if end.Byte > rng.End.Byte {
		return rng
	}
	return hcl.Range{Filename: rng.Filename, Start: start, End: end}
}

// structCache maps object types to the struct types that mirror them. The
// outputs of actions are few and large: a list searched with Equals is much
// cheaper than a map keyed by GoString, which formats the whole type.
// narrowField widens the one-character subject at col to the field name
// that starts there (after its dot), when the source says so.
func narrowField(rng hcl.Range, src string, col int, field string) hcl.Range {
	at := narrow(rng, src, col)
	if col < 0 || col > len(src) || at == rng {
		return at
	}
	rest := src[col:]
	skip := 0
	if strings.HasPrefix(rest, ".") {
		skip = 1
	}
	if !strings.HasPrefix(rest[skip:], field) {
		return at
	}
	at.Start.Column += skip
	at.Start.Byte += skip
	at.End = at.Start
	at.End.Column += len(field)
	at.End.Byte += len(field)
	if at.End.Byte > rng.End.Byte {
		return narrow(rng, src, col)
	}
	return at
}

var structCache struct {
	sync.RWMutex
	entries []structEntry
}

type structEntry struct {
	ty cty.Type
	rt reflect.Type
}

func cachedStruct(ty cty.Type) (reflect.Type, bool) {
	structCache.RLock()
	defer structCache.RUnlock()
	for _, e := range structCache.entries {
		if e.ty.Equals(ty) {
			return e.rt, true
		}
	}
	return nil, false
}

func storeStruct(ty cty.Type, rt reflect.Type) {
	structCache.Lock()
	defer structCache.Unlock()
	// Bounded: flow tables and helper flows can make many distinct types.
	if len(structCache.entries) < 512 {
		structCache.entries = append(structCache.entries, structEntry{ty, rt})
	}
}

// envStruct builds a struct type whose fields mirror env, so that expr-lang's
// checker knows every field and its type.
func envStruct(env map[string]cty.Type) reflect.Type {
	names := make([]string, 0, len(env))
	for n := range env {
		names = append(names, n)
	}
	sort.Strings(names)
	fields := make([]reflect.StructField, len(names))
	for i, n := range names {
		fields[i] = reflect.StructField{
			Name: "F" + strconv.Itoa(i),
			Type: goType(env[n]),
			Tag:  reflect.StructTag(`expr:` + strconv.Quote(n)),
		}
	}
	return reflect.StructOf(fields)
}

var anyType = reflect.TypeOf((*any)(nil)).Elem()

// goType maps a cty type to the Go type expr-lang checks against.
func goType(ty cty.Type) reflect.Type {
	switch {
	case ty == cty.String:
		return reflect.TypeOf("")
	case ty == cty.Number:
		return reflect.TypeOf(float64(0))
	case ty == cty.Bool:
		return reflect.TypeOf(false)
	case ty.IsListType() || ty.IsSetType():
		return reflect.SliceOf(goType(ty.ElementType()))
	case ty.IsTupleType():
		return reflect.SliceOf(anyType)
	case ty.IsMapType():
		return reflect.MapOf(reflect.TypeOf(""), goType(ty.ElementType()))
	case ty.IsObjectType():
		if t, ok := cachedStruct(ty); ok {
			return t
		}
		atys := ty.AttributeTypes()
		if len(atys) == 0 {
			// An empty object has no fields: card.stop.result on a
			// flow.return card is an unknown field, not any value.
			return reflect.TypeOf(struct{}{})
		}
		t := envStruct(atys)
		storeStruct(ty, t)
		return t
	}
	return anyType
}

// ExprValue converts a cty value to what expr-lang evaluates: strings,
// float64/int, bools, []any and map[string]any; null and unknown are nil.
func ExprValue(v cty.Value) any {
	if v == cty.NilVal || v.IsNull() || !v.IsKnown() {
		return nil
	}
	v, _ = v.UnmarkDeep()
	ty := v.Type()
	switch {
	case ty == cty.String:
		return v.AsString()
	case ty == cty.Number:
		bf := v.AsBigFloat()
		if bf.IsInt() {
			if i, acc := bf.Int64(); acc == big.Exact {
				return int(i)
			}
		}
		f, _ := bf.Float64()
		return f
	case ty == cty.Bool:
		return v.True()
	case ty.IsListType() || ty.IsSetType() || ty.IsTupleType():
		out := make([]any, 0, v.LengthInt())
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			out = append(out, ExprValue(e))
		}
		return out
	case ty.IsMapType() || ty.IsObjectType():
		out := make(map[string]any, v.LengthInt())
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			out[k.AsString()] = ExprValue(e)
		}
		return out
	}
	return nil
}

// FromExprValue converts an expr-lang result back to cty.
func FromExprValue(x any) (cty.Value, error) {
	switch t := x.(type) {
	case nil:
		return cty.NullVal(cty.DynamicPseudoType), nil
	case int:
		return cty.NumberIntVal(int64(t)), nil
	case int64:
		return cty.NumberIntVal(t), nil
	case float64:
		return cty.NumberFloatVal(t), nil
	case json.Number:
		return cty.ParseNumberVal(t.String())
	case string:
		return cty.StringVal(t), nil
	case bool:
		return cty.BoolVal(t), nil
	case []any:
		if len(t) == 0 {
			return cty.EmptyTupleVal, nil
		}
		vals := make([]cty.Value, len(t))
		for i, e := range t {
			v, err := FromExprValue(e)
			if err != nil {
				return cty.NilVal, err
			}
			vals[i] = v
		}
		return cty.TupleVal(vals), nil
	case map[string]any:
		if len(t) == 0 {
			return cty.EmptyObjectVal, nil
		}
		vals := make(map[string]cty.Value, len(t))
		for k, e := range t {
			v, err := FromExprValue(e)
			if err != nil {
				return cty.NilVal, err
			}
			vals[k] = v
		}
		return cty.ObjectVal(vals), nil
	}
	return cty.NilVal, fmt.Errorf("cannot convert %T", x)
}

// Types returns the types of env's values, for CompilePredicate.
func Types(env map[string]cty.Value) map[string]cty.Type {
	out := make(map[string]cty.Type, len(env))
	for k, v := range env {
		out[k] = v.Type()
	}
	return out
}

// PredicateRef is a `root.name` reference in a predicate, such as
// card.read_user or each.value, with its range in the HCL file.
type PredicateRef struct {
	Root, Name string
	Range      hcl.Range
}

// PredicateRefs returns the card.<name> and each.<name> references of src,
// a predicate written at rng, so that the checker can report unknown and
// later cards as it does for HCL expressions. A predicate that does not
// parse has none; CompilePredicate reports its syntax error.
func PredicateRefs(src string, rng hcl.Range) []PredicateRef {
	refs, _ := predicateRefs(src, rng)
	return refs
}

// predicateRefs also reports whether every use of card is a card.<name>
// reference, so that the card object the checker builds may hold only the
// cards named.
func predicateRefs(src string, rng hcl.Range) ([]PredicateRef, bool) {
	tree, err := parser.Parse(src)
	if err != nil {
		return nil, false
	}
	v := &refVisitor{src: src, rng: rng}
	ast.Walk(&tree.Node, v)
	named := 0
	for _, r := range v.refs {
		if r.Root == "card" {
			named++
		}
	}
	return v.refs, named == v.cardIdents
}

type refVisitor struct {
	src        string
	rng        hcl.Range
	refs       []PredicateRef
	cardIdents int
}

func (v *refVisitor) Visit(node *ast.Node) {
	if id, ok := (*node).(*ast.IdentifierNode); ok && id.Value == "card" {
		v.cardIdents++
	}
	m, ok := (*node).(*ast.MemberNode)
	if !ok {
		return
	}
	id, ok := m.Node.(*ast.IdentifierNode)
	if !ok || (id.Value != "card" && id.Value != "each") {
		return
	}
	prop, ok := m.Property.(*ast.StringNode)
	if !ok {
		return
	}
	from := id.Location().From
	text := id.Value + "." + prop.Value
	rng := narrow(v.rng, v.src, from)
	if from >= 0 && from+len(text) <= len(v.src) && v.src[from:from+len(text)] == text {
		rng.End = rng.Start
		rng.End.Column += len(text)
		rng.End.Byte += len(text)
		if rng.End.Byte > v.rng.End.Byte {
			rng = v.rng
		}
	}
	v.refs = append(v.refs, PredicateRef{Root: id.Value, Name: prop.Value, Range: rng})
}
