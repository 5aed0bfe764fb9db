package cli_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cardflow/cardflow/engine/cli"
)

// TestWiringIsVisible: every command is added in root.go, and no file of
// the package registers anything from init.
func TestWiringIsVisible(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			if fn, ok := d.(*ast.FuncDecl); ok && fn.Recv == nil && fn.Name.Name == "init" {
				t.Errorf("%s: func init; add commands in root.go's NewCmdRoot instead", fset.Position(fn.Pos()))
			}
		}
	}
	root := cli.NewCmdRoot(&cli.Factory{IO: cli.System()})
	var names []string
	for _, c := range root.Commands() {
		names = append(names, c.Name())
	}
	for _, want := range []string{"validate", "fmt", "test", "dry-run", "docs", "run", "demo", "emulate", "history", "show",
		"replay", "cancel", "wake", "prune", "console", "admin", "okta", "import", "version"} {
		if !strings.Contains(" "+strings.Join(names, " ")+" ", " "+want+" ") {
			t.Errorf("cardflow has no %s command (it has %v)", want, names)
		}
	}
}

// TestEveryCommandHasRunF: each command root.go adds is built by a
// NewCmdX(f, runF), so that a test can parse its flags without running it
// (flags_test.go).
func TestEveryCommandHasRunF(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "root.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	ast.Inspect(f, func(node ast.Node) bool {
		call, ok := node.(*ast.CallExpr)
		if !ok {
			return true
		}
		id, ok := call.Fun.(*ast.Ident)
		if !ok || !strings.HasPrefix(id.Name, "NewCmd") || id.Name == "NewCmdRoot" {
			return true
		}
		n++
		if len(call.Args) != 2 {
			t.Errorf("%s: %s takes no runF; give it func(*%sOptions) error", fset.Position(call.Pos()), id.Name, strings.TrimPrefix(id.Name, "NewCmd"))
		}
		return true
	})
	if n < 17 {
		t.Errorf("root.go adds %d commands, want at least 17", n)
	}
}
