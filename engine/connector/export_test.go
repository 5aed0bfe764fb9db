package connector

// The conversions as they were before the type-guided decoder, for the
// benchmarks of the external test package.
var (
	LegacyFromJSON = legacyFromJSON
	LegacyFromGo   = legacyFromGo
)
