package cli

import (
	"net/http"
	"net/http/pprof"
	"strings"
)

// emulatorPprofPath is where `cardflow emulate --pprof` serves Go profiles,
// beside /_emulator/faults and out of the emulated API's paths.
const emulatorPprofPath = "/_emulator/debug/pprof/"

// emulatorPprof serves the CPU profile (?seconds=N), heap and allocs
// profiles of the emulator process in front of next. Every other request
// goes to next untouched (a ServeMux in front would clean its paths).
func emulatorPprof(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, ok := strings.CutPrefix(r.URL.Path, emulatorPprofPath)
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		switch name {
		case "profile":
			pprof.Profile(w, r)
		case "heap", "allocs":
			pprof.Handler(name).ServeHTTP(w, r)
		default:
			http.Error(w, "profiles: profile?seconds=N, heap, allocs", http.StatusNotFound)
		}
	})
}
