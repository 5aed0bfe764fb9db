package cli

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// faultsPath is the emulators' admin endpoint for fault injection.
const faultsPath = "/_emulator/faults"

// FaultSpec is one fault as POST /_emulator/faults takes it. Durations are
// Go durations ("20s", "1m30s").
type FaultSpec struct {
	// Method and Path match requests (any when empty; Path is a prefix).
	Method string `json:"method,omitempty"`
	Path   string `json:"path,omitempty"`
	// Status answers with that status: 429 with the rate-limit headers of
	// the API, 5xx or 4xx with its error body. 0 only delays.
	Status int `json:"status,omitempty"`
	// Count is how many matching requests the fault hits (default 1).
	Count int `json:"count,omitempty"`
	// For keeps the fault on every matching request for that long instead.
	For string `json:"for,omitempty"`
	// Latency delays each hit request.
	Latency string `json:"latency,omitempty"`
	// ResetAfter is when a 429's limit resets (Okta X-Rate-Limit-Reset,
	// ServiceNow Retry-After).
	ResetAfter string `json:"reset_after,omitempty"`
	// ConnectionReset resets the connection instead of answering.
	ConnectionReset bool `json:"connection_reset,omitempty"`
	// Commit (ServiceNow) serves the request to its end even when the
	// client gave up during Latency, as an instance's transaction does; with
	// ConnectionReset the request is served, then its answer dropped.
	Commit bool `json:"commit,omitempty"`
}

// faultAdmin serves /_emulator/faults in front of an emulator: POST adds a
// fault, GET lists the ones added, DELETE clears them.
type faultAdmin struct {
	next http.Handler
	// build checks a spec and returns what injects it.
	build func(FaultSpec, time.Time) (func(), error)
	clear func()

	mu    sync.Mutex
	added []FaultSpec
}

func (a *faultAdmin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != faultsPath {
		a.next.ServeHTTP(w, r)
		return
	}
	switch r.Method {
	case http.MethodPost:
		a.add(w, r)
	case http.MethodGet:
		a.mu.Lock()
		list := append([]FaultSpec{}, a.added...)
		a.mu.Unlock()
		writeAdminJSON(w, http.StatusOK, map[string]any{"faults": list})
	case http.MethodDelete:
		a.clear()
		a.mu.Lock()
		a.added = nil
		a.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	default:
		w.Header().Set("Allow", "GET, POST, DELETE")
		writeAdminJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "use GET, POST or DELETE"})
	}
}

// add takes one fault object or an array of them; none is added unless all
// are valid.
func (a *faultAdmin) add(w http.ResponseWriter, r *http.Request) {
	var specs []FaultSpec
	body := http.MaxBytesReader(w, r.Body, 1<<20)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	var raw json.RawMessage
	err := dec.Decode(&raw)
	if err == nil {
		if t := strings.TrimSpace(string(raw)); strings.HasPrefix(t, "[") {
			err = strictDecode(raw, &specs)
		} else {
			var s FaultSpec
			err = strictDecode(raw, &s)
			specs = []FaultSpec{s}
		}
	}
	if err != nil {
		writeAdminJSON(w, http.StatusBadRequest, map[string]string{"error": "the body must be a fault object or an array of them: " + err.Error()})
		return
	}
	if err := a.addSpecs(specs, time.Now()); err != nil {
		writeAdminJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	writeAdminJSON(w, http.StatusCreated, map[string]any{"added": len(specs)})
}

// addSpecs injects specs, or none of them when one is not valid.
func (a *faultAdmin) addSpecs(specs []FaultSpec, now time.Time) error {
	apply := make([]func(), 0, len(specs))
	for i, s := range specs {
		err := checkFault(s)
		var f func()
		if err == nil {
			f, err = a.build(s, now)
		}
		if err != nil {
			return fmt.Errorf("fault %d: %v", i+1, err)
		}
		apply = append(apply, f)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for i, f := range apply {
		f()
		a.added = append(a.added, specs[i])
	}
	return nil
}

// addFlags injects the faults of --fault, each one JSON fault object.
func (a *faultAdmin) addFlags(flags []string) error {
	specs := make([]FaultSpec, len(flags))
	for i, f := range flags {
		if err := strictDecode([]byte(f), &specs[i]); err != nil {
			return fmt.Errorf("--fault %s: not a fault object: %v", f, err)
		}
	}
	if err := a.addSpecs(specs, time.Now()); err != nil {
		return fmt.Errorf("--fault: %v", err)
	}
	return nil
}

// checkFault validates what every emulator's faults have in common.
func checkFault(s FaultSpec) error {
	if s.Status != 0 && (s.Status < 400 || s.Status > 599) {
		return fmt.Errorf("status %d is not an error status (400-599)", s.Status)
	}
	if s.Count < 0 {
		return fmt.Errorf("count %d is negative", s.Count)
	}
	if s.Status == 0 && s.Latency == "" && !s.ConnectionReset {
		return fmt.Errorf("the fault does nothing: give status, latency or connection_reset")
	}
	return nil
}

func strictDecode(b []byte, v any) error {
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

func writeAdminJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
