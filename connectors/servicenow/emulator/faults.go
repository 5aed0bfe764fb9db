package emulator

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Fault is an injected failure for the next Count requests whose method
// and path match.
type Fault struct {
	// Method matches the request method (any when empty); PathPrefix the
	// URL path (any when empty), e.g. "/api/now/table/incident".
	Method, PathPrefix string
	// Status, when set, answers with it instead of serving: 429 with the
	// rate-limit headers and body, else the error envelope.
	Status int
	// Count is how many matching requests the fault affects; 0 means one,
	// negative means every request until the emulator is discarded.
	Count int
	// Latency delays the response (before Status or normal serving).
	Latency time.Duration
	// RetryAfter is the 429's Retry-After (default 1s).
	RetryAfter time.Duration
	// HideRows drops that many rows from the end of a list page after
	// sysparm_limit, as ACLs do, leaving X-Total-Count and Link unchanged.
	HideRows int
	// Limit is the hourly limit a 429 reports (default 10, or
	// Options.RateLimitPerHour when set).
	Limit int
	// Until, when set, keeps the fault on every matching request until
	// then, whatever Count says: an outage of a given length.
	Until time.Time
	// Drop resets the connection (TCP RST) instead of answering.
	Drop bool
	// Detach serves the request to its end even when the client gave up
	// during Latency, as an instance's transaction runs on after its
	// caller's timeout: a POST still creates its record, only the answer is
	// lost. With Drop, the request is served and then the connection is
	// reset, so the answer is lost even to a patient client.
	Detach bool
}

// rateLimitRule is the sys_id reported in X-RateLimit-Rule.
const rateLimitRule = "6ac2b6f0db7b3300d6a2b1c3ca9619c4"

// Inject adds a fault. Faults are consumed in the order they were injected;
// a request takes at most one.
func (e *Emulator) Inject(f Fault) {
	if f.Count == 0 {
		f.Count = 1
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.faults = append(e.faults, &f)
	e.faultCount.Store(int32(len(e.faults)))
}

// ClearFaults removes every injected fault.
func (e *Emulator) ClearFaults() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.faults = nil
	e.faultCount.Store(0)
}

// takeFault consumes and returns the first fault matching r, or nil.
func (e *Emulator) takeFault(r *http.Request) *Fault {
	if e.faultCount.Load() == 0 {
		return nil // the usual case: no lock taken
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.opts.Now()
	for i := 0; i < len(e.faults); i++ {
		f := e.faults[i]
		if !f.Until.IsZero() && !now.Before(f.Until) {
			e.faults = append(e.faults[:i:i], e.faults[i+1:]...)
			e.faultCount.Store(int32(len(e.faults)))
			i--
			continue
		}
		if f.Method != "" && !strings.EqualFold(f.Method, r.Method) || !strings.HasPrefix(r.URL.Path, f.PathPrefix) {
			continue
		}
		c := *f
		if !f.Until.IsZero() {
			return &c
		}
		if f.Count > 0 {
			f.Count--
			if f.Count == 0 {
				e.faults = append(e.faults[:i:i], e.faults[i+1:]...)
				e.faultCount.Store(int32(len(e.faults)))
			}
		}
		return &c
	}
	return nil
}

// writeFault answers with the injected status and the body the platform
// sends for it: the 401 and 404 bodies, an ACL exception for 403, the rate
// limit for 429, and the envelope with the status text otherwise.
func (e *Emulator) writeFault(w http.ResponseWriter, r *http.Request, f *Fault) {
	switch f.Status {
	case http.StatusTooManyRequests:
	case http.StatusUnauthorized:
		writeError(w, f.Status, "User Not Authenticated", ptr("Required to provide Auth information"))
		return
	case http.StatusForbidden:
		writeError(w, f.Status, "Operation Failed", ptr("ACL Exception "+aclOperation(r.Method)+" Failed due to security constraints"))
		return
	case http.StatusNotFound:
		writeErr(w, ErrNotFound)
		return
	default:
		writeError(w, f.Status, http.StatusText(f.Status), nil)
		return
	}
	retry := f.RetryAfter
	if retry <= 0 {
		retry = time.Second
	}
	limit := f.Limit
	if limit <= 0 {
		limit = e.opts.RateLimitPerHour
	}
	if limit <= 0 {
		limit = 10
	}
	writeRateLimited(w, limit, retry, e.opts.Now().Add(retry))
}

// writeRateLimited writes the platform's 429: Retry-After in whole seconds
// (rounded up), the X-RateLimit-* headers and the documented body.
func writeRateLimited(w http.ResponseWriter, limit int, retry time.Duration, reset time.Time) {
	h := w.Header()
	h.Set("Retry-After", strconv.Itoa(int((retry+time.Second-1)/time.Second)))
	setRateHeaders(h, limit, reset)
	detail := fmt.Sprintf("Rate limit of %d requests per hour for Table API exceeded", limit)
	writeError(w, http.StatusTooManyRequests, "Rate limit exceeded", &detail)
}

func setRateHeaders(h http.Header, limit int, reset time.Time) {
	h.Set("X-RateLimit-Limit", strconv.Itoa(limit))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
	h.Set("X-RateLimit-Rule", rateLimitRule)
}

func aclOperation(method string) string {
	switch method {
	case http.MethodPost:
		return "Insert"
	case http.MethodDelete:
		return "Delete"
	case http.MethodGet, http.MethodHead:
		return "Read"
	}
	return "Update"
}

func ptr(s string) *string { return &s }

// rateWindow counts one user's requests in the current hour.
type rateWindow struct {
	start time.Time
	count int
}

// checkRateLimit applies Options.RateLimitPerHour per user: headers on every
// response, 429 once the hour's budget is spent. It reports whether the
// request may proceed.
func (e *Emulator) checkRateLimit(w http.ResponseWriter, user string) bool {
	limit := e.opts.RateLimitPerHour
	if limit <= 0 {
		return true
	}
	now := e.opts.Now()
	start := now.Truncate(time.Hour)
	e.mu.Lock()
	rw := e.rates[user]
	if rw == nil || !rw.start.Equal(start) {
		rw = &rateWindow{start: start}
		e.rates[user] = rw
	}
	rw.count++
	count := rw.count
	e.mu.Unlock()
	reset := start.Add(time.Hour)
	if count > limit {
		writeRateLimited(w, limit, reset.Sub(now), reset)
		return false
	}
	setRateHeaders(w.Header(), limit, reset)
	return true
}

// sleep waits d or until ctx is done, reporting whether it waited fully.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
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

// lostAnswer is where a detached request's answer goes when its connection
// is about to be reset: nowhere.
type lostAnswer struct{ h http.Header }

func (l *lostAnswer) Header() http.Header {
	if l.h == nil {
		l.h = http.Header{}
	}
	return l.h
}
func (l *lostAnswer) Write(b []byte) (int, error) { return len(b), nil }
func (l *lostAnswer) WriteHeader(int)             {}
