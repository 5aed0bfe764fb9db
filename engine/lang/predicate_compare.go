package lang

import (
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/parser"
)

// Comparison is a predicate's comparison of a path of the trigger value or
// of a card's output with a literal string: record.state == "Resolved",
// trigger.record.state in ["6", "7"], card.read_user.status != "ACTIVE".
type Comparison struct {
	// Root is "trigger" or "card". Path goes into the trigger value, as
	// PredicatePaths gives it, or starts with the card's name.
	Root    string
	Path    []string
	Literal string
}

// PredicateComparisons returns the comparisons in src, by ==, !=, in and
// not in, of a static reference to the trigger value (or, unprefixed, to
// one of its attributes attrs) or to a card's output with literal
// strings, so that a connector can say when no event or output carries
// such a literal there. It returns nil when src does not parse.
func PredicateComparisons(src string, attrs []string) []Comparison {
	tree, err := parser.Parse(src)
	if err != nil {
		return nil
	}
	roots := map[string]bool{"trigger": true}
	for _, a := range attrs {
		if a != "var" {
			roots[a] = true
		}
	}
	path := func(n ast.Node) (string, []string, bool) {
		root, steps, static := reference(n)
		switch {
		case !static:
			return "", nil, false
		case root == "card" && len(steps) > 0:
			return "card", steps, true
		case !roots[root]:
			return "", nil, false
		case root == "trigger":
			return "trigger", steps, true
		}
		return "trigger", append([]string{root}, steps...), true
	}
	var out []Comparison
	walk(&tree.Node, func(n ast.Node) {
		b, ok := n.(*ast.BinaryNode)
		if !ok {
			return
		}
		switch b.Operator {
		case "==", "!=":
			for _, pair := range [2][2]ast.Node{{b.Left, b.Right}, {b.Right, b.Left}} {
				if s, isStr := pair[1].(*ast.StringNode); isStr {
					if root, p, ok := path(pair[0]); ok {
						out = append(out, Comparison{Root: root, Path: p, Literal: s.Value})
					}
				}
			}
		case "in":
			arr, isArr := b.Right.(*ast.ArrayNode)
			root, p, ok := path(b.Left)
			if !isArr || !ok {
				return
			}
			for _, e := range arr.Nodes {
				if s, isStr := e.(*ast.StringNode); isStr {
					out = append(out, Comparison{Root: root, Path: p, Literal: s.Value})
				}
			}
		}
	})
	return out
}
