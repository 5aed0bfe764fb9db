package flowtest

import (
	"net/http"

	"github.com/zclconf/go-cty/cty"
)

// Emulator serves the actions of one connector in tests, in process. The
// emulators of the built-in connectors are in package flowtest/emulators.
type Emulator struct {
	// New returns the emulator's HTTP handler, seeded with seed (the JSON
	// of the emulator block's seed_file; nil for none), and a function that
	// releases it.
	New func(seed []byte) (http.Handler, func(), error)
	// Connection returns the connection arguments that point a client at
	// the emulator served at url. Arguments it does not name keep their
	// values from the flow's connection block, or are null when those are
	// unknown (env() is never read in tests).
	Connection func(url string) map[string]cty.Value
}
