// Package flows embeds the example flows, so that `cardflow demo` runs the
// very files users copy.
package flows

import "embed"

// Onboarding holds flows/onboarding/*.hcl.
//
//go:embed onboarding/*.hcl
var Onboarding embed.FS
