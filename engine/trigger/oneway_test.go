package trigger_test

import (
	"fmt"
	"go/ast"
	"go/types"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/tools/go/packages"
)

const module = "github.com/cardflow/cardflow"

// intakeFile is the one file outside the store packages that may call the
// store's enqueue methods.
const intakeFile = "engine/trigger/intake.go"

// enqueueCalls returns, as "file:line: call", every call outside the store
// packages and intakeFile of a method named Enqueue… of a store type (a
// method declared in engine/store or its subpackages, directly or
// promoted), or of an interface whose method takes []store.Event (a copy of
// the store's). Test files are not loaded.
func enqueueCalls(t *testing.T, root string, overlay map[string][]byte, patterns ...string) []string {
	t.Helper()
	cfg := &packages.Config{
		Mode:    packages.NeedName | packages.NeedFiles | packages.NeedSyntax | packages.NeedTypes | packages.NeedTypesInfo,
		Dir:     root,
		Overlay: overlay,
	}
	pkgs, err := packages.Load(cfg, patterns...)
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, p := range pkgs {
		for _, e := range p.Errors {
			t.Errorf("%s: %v", p.PkgPath, e)
		}
		if p.PkgPath == module+"/engine/store" || strings.HasPrefix(p.PkgPath, module+"/engine/store/") {
			continue
		}
		for _, file := range p.Syntax {
			name := p.Fset.Position(file.Pos()).Filename
			rel, err := filepath.Rel(root, name)
			if err != nil {
				t.Fatal(err)
			}
			rel = filepath.ToSlash(rel)
			if rel == intakeFile {
				continue
			}
			ast.Inspect(file, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				sel, ok := call.Fun.(*ast.SelectorExpr)
				if !ok || !strings.HasPrefix(sel.Sel.Name, "Enqueue") {
					return true
				}
				s, ok := p.TypesInfo.Selections[sel]
				if !ok || s.Kind() != types.MethodVal || !isStoreEnqueue(s) {
					return true
				}
				pos := p.Fset.Position(call.Pos())
				found = append(found, fmt.Sprintf("%s:%d: %s", rel, pos.Line, types.ExprString(call.Fun)))
				return true
			})
		}
	}
	slices.Sort(found)
	return found
}

// isStoreEnqueue reports whether s selects a store's enqueue method.
func isStoreEnqueue(s *types.Selection) bool {
	fn, ok := s.Obj().(*types.Func)
	if !ok || fn.Pkg() == nil {
		return false
	}
	if path := fn.Pkg().Path(); path == module+"/engine/store" || strings.HasPrefix(path, module+"/engine/store/") {
		return true
	}
	if !types.IsInterface(s.Recv()) {
		return false
	}
	params := fn.Type().(*types.Signature).Params()
	for i := range params.Len() {
		if sl, ok := params.At(i).Type().(*types.Slice); ok {
			if named, ok := sl.Elem().(*types.Named); ok && named.Obj().Pkg() != nil &&
				named.Obj().Pkg().Path() == module+"/engine/store" && named.Obj().Name() == "Event" {
				return true
			}
		}
	}
	return false
}

// TestOnlyTheIntakeEnqueues: the Intake is the one way in. Nothing but it
// (and the stores themselves) calls the store's enqueue methods: a hook, a
// poller, a flow call, a dry run or a flow test that wrote to the inbox
// itself would skip its checks, backpressure and hand-over to idle workers.
func TestOnlyTheIntakeEnqueues(t *testing.T) {
	if testing.Short() {
		t.Skip("type-checks the module")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if got := enqueueCalls(t, root, nil, "./..."); len(got) != 0 {
		t.Errorf("only %s may call the store's enqueue methods; these call them directly:\n%s\n"+
			"hand the events to a trigger.Intake instead (Push, Submit, Poll, Hook, Invoke)", intakeFile, strings.Join(got, "\n"))
	}

	// The check finds such a call, through the store and through an
	// interface copied from it.
	bad := filepath.Join(root, "engine", "server", "zz_bypass.go")
	overlay := map[string][]byte{bad: []byte(`package server

import (
	"context"

	"github.com/cardflow/cardflow/engine/store"
)

type inbox interface {
	Enqueue(ctx context.Context, events []store.Event, opts store.EnqueueOptions) ([]store.Enqueued, error)
}

func bypass(ctx context.Context, b Backend, in inbox) {
	_, _ = b.Store().Enqueue(ctx, nil, store.EnqueueOptions{})
	_, _ = in.Enqueue(ctx, nil, store.EnqueueOptions{Claim: store.Claimant{Max: 1}})
}
`)}
	want := []string{
		"engine/server/zz_bypass.go:14: b.Store().Enqueue",
		"engine/server/zz_bypass.go:15: in.Enqueue",
	}
	if got := enqueueCalls(t, root, overlay, "./engine/server"); !slices.Equal(got, want) {
		t.Errorf("with a bypass added, the check found:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
