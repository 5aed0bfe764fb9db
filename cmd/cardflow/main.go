// Command cardflow runs identity workflows written as HCL files.
package main

import (
	"os"

	"github.com/cardflow/cardflow/connectors/core"
	"github.com/cardflow/cardflow/connectors/okta"
	"github.com/cardflow/cardflow/connectors/servicenow"
	"github.com/cardflow/cardflow/engine/cli"
	"github.com/cardflow/cardflow/engine/cli/emulators"
	"github.com/cardflow/cardflow/engine/connector"
)

func main() { os.Exit(cardflow()) }

// cardflow runs the command line and returns its exit code; the scripts of
// testdata/script run it as the cardflow command (script_test.go).
func cardflow() int {
	reg := connector.NewRegistry(append(core.Connectors(), okta.New(), servicenow.New())...)
	f := &cli.Factory{IO: cli.System(), Registry: reg, Emulators: emulators.Default()}
	return cli.Main(f, os.Args[1:])
}
