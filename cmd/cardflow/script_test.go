package main

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestScripts runs the command-line scripts of testdata/script: each is a
// txtar archive of a script (cardflow commands, their expected output and
// exit codes) and the files it needs. cardflow runs as a command of its
// own, this test binary under that name (TestMain); `go test -run
// TestScripts/NAME` runs one, `-testwork` keeps its directory.
//
// Besides testscript's own commands, a script has
//
//	exits CODE cardflow ARGS...  run cardflow and check its exit code exactly
//	                             (exec and ! exec only tell zero from non-zero);
//	                             stdout and stderr then check its output
//	emptydir DIR                 fail unless DIR holds no file at all
//	json FILE                    fail unless FILE (or stdout) is one JSON value
//	store-execution DB STATUS PAYLOAD [JOURNAL]
//	                             make a store holding one execution, $ID
//	                             (script_store_test.go)
//
// Variables: $REPO is the repository's root (the example flows under
// $REPO/flows, the validate fixtures under $REPO/testdata/validate);
// $TESTDATA is this package's testdata (the Okta Workflows exports of
// the import scripts);
// $BUILD_VERSION and $BUILD_REVISION are the module version and VCS
// revision this binary was built with (the revision is empty when the go
// tool stamped none).
func TestScripts(t *testing.T) {
	repo, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	testdata, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	version, revision := buildVersion()
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			env.Setenv("REPO", repo)
			env.Setenv("TESTDATA", testdata)
			env.Setenv("BUILD_VERSION", version)
			env.Setenv("BUILD_REVISION", revision)
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exits":           exits,
			"emptydir":        emptydir,
			"json":            isJSON,
			"store-execution": storeExecution,
		},
		RequireExplicitExec: true,
	})
}

// exits is the script command "exits CODE COMMAND ARGS...".
func exits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits CODE COMMAND ARGS...")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exits: CODE %q is not a number", args[0])
	}
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		got = ee.ExitCode()
	case err != nil:
		ts.Fatalf("exits: %v", err)
	}
	if got != want {
		ts.Fatalf("%s exited %d, want %d", args[1], got, want)
	}
}

// emptydir is the script command "emptydir DIR".
func emptydir(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: emptydir DIR")
	}
	entries, err := os.ReadDir(ts.MkAbs(args[0]))
	ts.Check(err)
	if len(entries) != 0 {
		names := make([]string, len(entries))
		for i, e := range entries {
			names[i] = e.Name()
		}
		ts.Fatalf("%s holds %v, want nothing", args[0], names)
	}
}

// isJSON is the script command "json FILE".
func isJSON(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: json FILE")
	}
	err := json.Unmarshal([]byte(ts.ReadFile(args[0])), new(any))
	switch {
	case neg && err == nil:
		ts.Fatalf("%s is JSON", args[0])
	case !neg && err != nil:
		ts.Fatalf("%s is not JSON: %v", args[0], err)
	}
}

// buildVersion is what cardflow version reports of this binary.
func buildVersion() (version, revision string) {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "", ""
	}
	version = bi.Main.Version
	if version == "" {
		version = "(devel)"
	}
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" {
			revision = s.Value
		}
	}
	return version, revision
}
