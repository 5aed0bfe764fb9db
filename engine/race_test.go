//go:build race

package engine_test

// raceEnabled is true when the tests run with the race detector.
const raceEnabled = true
