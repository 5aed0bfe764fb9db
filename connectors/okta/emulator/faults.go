package emulator

import (
	"net"
	"net/http"
	"strings"
	"time"
)

// Fault makes matching API requests slow or failing, for tests of retries
// and rate-limit handling.
type Fault struct {
	// Method matches the HTTP method; "" matches any.
	Method string
	// PathPrefix matches the start of the URL path; "" matches any.
	PathPrefix string
	// Status is the error to answer: 429 gives E0000047 with X-Rate-Limit-*
	// headers, 5xx gives E0000009, other codes E0000001. 0 only delays.
	Status int
	// Count is how many matching requests the fault hits; default 1.
	Count int
	// Latency delays each hit request before it is answered.
	Latency time.Duration
	// ResetAfter sets X-Rate-Limit-Reset of a 429 to now+ResetAfter. Until
	// then every matching request gets 429 too, as a real exhausted bucket
	// does; those requests do not use up Count.
	ResetAfter time.Duration
	// Until, when set, keeps the fault on every matching request until
	// then, whatever Count says: an outage of a given length.
	Until time.Time
	// Drop resets the connection (TCP RST, after Latency) instead of
	// answering, as a crashed proxy or a dropped link does.
	Drop bool
}

type faultRec struct {
	Fault
	left    int
	resetAt time.Time
}

// Inject adds a fault. Faults are checked in the order they were added.
func (e *Emulator) Inject(f Fault) {
	if f.Count <= 0 {
		f.Count = 1
	}
	e.mu.Lock()
	e.faults = append(e.faults, &faultRec{Fault: f, left: f.Count})
	e.faultCount.Store(int32(len(e.faults)))
	e.mu.Unlock()
}

// ClearFaults removes every injected fault.
func (e *Emulator) ClearFaults() {
	e.mu.Lock()
	e.faults = nil
	e.faultCount.Store(0)
	e.mu.Unlock()
}

func (f *faultRec) matches(r *http.Request) bool {
	return (f.Method == "" || strings.EqualFold(f.Method, r.Method)) && strings.HasPrefix(r.URL.Path, f.PathPrefix)
}

// takeFault finds the fault that hits r, if any, and uses it up.
func (e *Emulator) takeFault(r *http.Request, now time.Time) (Fault, time.Time, bool) {
	if e.faultCount.Load() == 0 {
		return Fault{}, time.Time{}, false // the usual case: no lock taken
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	var (
		hit   *faultRec
		reset time.Time
	)
	for _, f := range e.faults {
		if !f.matches(r) {
			continue
		}
		if f.Status == http.StatusTooManyRequests && now.Before(f.resetAt) {
			hit = f
			break
		}
		if !f.Until.IsZero() {
			if now.Before(f.Until) {
				f.resetAt = now.Add(f.ResetAfter)
				hit = f
				break
			}
			continue
		}
		if f.left > 0 {
			f.left--
			f.resetAt = now.Add(f.ResetAfter)
			hit = f
			break
		}
	}
	if hit != nil {
		reset = hit.resetAt
	}
	kept := e.faults[:0]
	for _, f := range e.faults {
		if (f.Until.IsZero() && f.left > 0) || now.Before(f.resetAt) || now.Before(f.Until) {
			kept = append(kept, f)
		}
	}
	e.faults = kept
	e.faultCount.Store(int32(len(kept)))
	if hit == nil {
		return Fault{}, time.Time{}, false
	}
	return hit.Fault, reset, true
}

// applyFault delays or fails r; it reports whether it wrote the response.
func (e *Emulator) applyFault(w http.ResponseWriter, r *http.Request, b bucket, now time.Time) bool {
	f, reset, ok := e.takeFault(r, now)
	if !ok {
		return false
	}
	if f.Latency > 0 {
		t := time.NewTimer(f.Latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return true
		}
	}
	switch {
	case f.Drop:
		drop(w)
	case f.Status == 0:
		return false
	case f.Status == http.StatusTooManyRequests:
		// Round up: the SDK waits Reset - Date + 1 whole seconds.
		e.rates.setHeaders(w.Header(), b, 0, reset.Add(time.Second-time.Nanosecond).Unix())
		e.writeError(w, errRateLimited)
	case f.Status >= 500:
		e.rates.take(b, now, w.Header())
		e.writeError(w, &apiError{Status: f.Status, Code: errInternal.Code, Summary: errInternal.Summary})
	default:
		e.rates.take(b, now, w.Header())
		e.writeError(w, &apiError{Status: f.Status, Code: "E0000001", Summary: "Api validation failed: injected fault"})
	}
	return true
}

// drop resets the request's connection without an answer: the client sees
// "connection reset by peer" (or EOF).
func drop(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler) // HTTP/2, or a writer that cannot: abort
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0) // RST instead of FIN
	}
	_ = conn.Close()
}
