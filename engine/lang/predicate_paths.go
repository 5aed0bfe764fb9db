package lang

import (
	"strconv"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/parser"
)

// PredicatePaths returns the paths into the trigger value that the
// predicate src reads: the static part of each reference to trigger (or,
// as PredicateEnv allows, to one of the trigger's attributes attrs
// without the prefix), as attribute names and indexes ("0" for [0]). The
// path of a reference that goes on dynamically (trigger.items[i],
// trigger.event.uuid.method()) ends where the static part does, and a
// bare trigger is the empty path: all of it. ok is false when src does
// not parse or reads the environment as $env: then it may read anything.
func PredicatePaths(src string, attrs []string) (paths [][]string, ok bool) {
	tree, err := parser.Parse(src)
	if err != nil {
		return nil, false
	}
	roots := map[string]bool{"trigger": true}
	for _, a := range attrs {
		if a != "var" {
			roots[a] = true
		}
	}
	// Every node that is the object of a static member access is part of
	// a longer reference: only the longest one is a path.
	inner := map[ast.Node]bool{}
	walk(&tree.Node, func(n ast.Node) {
		switch n := n.(type) {
		case *ast.MemberNode:
			if _, static := staticStep(n.Property); static && !n.Method {
				inner[n.Node] = true
			}
		case *ast.ChainNode: // a?.b: the same reference as its node
			inner[n.Node] = true
		}
	})
	ok = true
	walk(&tree.Node, func(n ast.Node) {
		if id, isID := n.(*ast.IdentifierNode); isID && id.Value == "$env" {
			ok = false
		}
		if inner[n] {
			return
		}
		root, steps, static := reference(n)
		switch {
		case !static || !roots[root]:
		case root == "trigger":
			paths = append(paths, steps)
		default:
			paths = append(paths, append([]string{root}, steps...))
		}
	})
	if !ok {
		return nil, false
	}
	return paths, true
}

// reference returns the root identifier and the steps of n when n is an
// identifier followed by static member accesses only.
func reference(n ast.Node) (root string, steps []string, ok bool) {
	switch n := n.(type) {
	case *ast.IdentifierNode:
		return n.Value, nil, true
	case *ast.ChainNode:
		return reference(n.Node)
	case *ast.MemberNode:
		step, static := staticStep(n.Property)
		if n.Method || !static {
			return "", nil, false
		}
		root, steps, ok = reference(n.Node)
		return root, append(steps, step), ok
	}
	return "", nil, false
}

// staticStep returns the step a literal property is.
func staticStep(prop ast.Node) (string, bool) {
	switch p := prop.(type) {
	case *ast.StringNode:
		return p.Value, true
	case *ast.IntegerNode:
		return strconv.Itoa(p.Value), true
	}
	return "", false
}

type visitFunc func(ast.Node)

func (f visitFunc) Visit(n *ast.Node) { f(*n) }

func walk(n *ast.Node, f func(ast.Node)) { ast.Walk(n, visitFunc(f)) }
