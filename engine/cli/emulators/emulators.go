package emulators

import (
	"github.com/cardflow/cardflow/engine/cli"
	ftemulators "github.com/cardflow/cardflow/engine/flowtest/emulators"
	"github.com/cardflow/cardflow/engine/seed"
)

// Default returns the emulators of the built-in connectors.
func Default() cli.Emulators {
	return cli.Emulators{
		Tests:  ftemulators.Default(),
		DryRun: dryRun,
		Serve: map[string]func(cli.ServeEmulatorOptions) (*cli.ServedEmulator, error){
			seed.Okta:       serveOkta,
			seed.ServiceNow: serveServiceNow,
		},
		Demo: demo,
	}
}
