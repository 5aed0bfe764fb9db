package cli_test

import (
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// emulatorPackage matches the import paths of connector emulators.
var emulatorPackage = regexp.MustCompile(`(?m)/connectors/[^/]+/emulator(/.*)?$`)

// TestCLIDependsOnNoEmulator: cmd/cardflow wires the emulators in (package
// cli/emulators) as it does the connector registry; package cli, and so
// every command, reaches them only through Factory.Emulators.
func TestCLIDependsOnNoEmulator(t *testing.T) {
	deps := goListDeps(t, "github.com/cardflow/cardflow/engine/cli")
	if !strings.Contains(deps, "github.com/cardflow/cardflow/engine\n") {
		t.Fatalf("go list -deps does not list the engine facade; the listing is wrong:\n%s", deps)
	}
	for _, p := range strings.Fields(deps) {
		if emulatorPackage.MatchString(p) {
			t.Errorf("engine/cli depends on %s: take it through Factory.Emulators (cmd/cardflow wires engine/cli/emulators)", p)
		}
	}
	// The wiring itself does reach the emulators: the check above is not
	// vacuous.
	wiring := goListDeps(t, "github.com/cardflow/cardflow/engine/cli/emulators")
	if !emulatorPackage.MatchString(wiring) {
		t.Errorf("engine/cli/emulators lists no emulator package; the pattern %s is stale", emulatorPackage)
	}
}

func goListDeps(t *testing.T, pkg string) string {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is not on PATH: %v", err)
	}
	out, err := exec.Command(gobin, "list", "-deps", pkg).CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
	}
	return string(out)
}
