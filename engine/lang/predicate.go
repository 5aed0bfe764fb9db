package lang

import (
	"fmt"
	"reflect"
	"sync"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
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
func (x *ExprChecker) CompilePredicate(src string, rng hcl.Range, env map[string]cty.Type) (*Predicate, hcl.Diagnostics) {
	if diags := x.CheckExpr(src, rng, onlyNamedCards(src, rng, env), true, conditionAbout); diags.HasErrors() {
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
func (x *ExprChecker) CheckExpr(src string, rng hcl.Range, env map[string]cty.Type, wantBool bool, about string) hcl.Diagnostics {
	typed := reflect.New(x.envStruct(env)).Elem().Interface()
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
