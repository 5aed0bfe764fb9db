package connector

// The conversions as they were before the type-guided decoder, for the
// benchmarks of the external test package.
var (
	LegacyFromJSON = legacyFromJSON
	LegacyFromGo   = legacyFromGo
)

// CheckSparse is the differential check of FromJSONPaths against FromJSON,
// for the tests of real payloads in the external test package.
var CheckSparse = checkSparse
