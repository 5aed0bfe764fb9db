package main

import (
	"fmt"
	"net/http"
	"sync"
	"time"
)

// request is one HTTP request an emulator (or the hook proxy) received.
type request struct {
	Method, Path string
	Start, End   time.Time // End is zero while the request is in flight
	Status       int
	// Reset is the X-Rate-Limit-Reset of a 429, as a time.
	Reset time.Time
}

// requestLog is an http.Handler that records the requests it passes on.
type requestLog struct {
	next http.Handler
	mu   sync.Mutex
	reqs []request
}

func (l *requestLog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	l.mu.Lock()
	i := len(l.reqs)
	l.reqs = append(l.reqs, request{Method: r.Method, Path: r.URL.Path, Start: time.Now()})
	l.mu.Unlock()
	sw := &statusWriter{ResponseWriter: w}
	l.next.ServeHTTP(sw, r)
	end := time.Now()
	var reset time.Time
	if sw.status == http.StatusTooManyRequests {
		var sec int64
		if _, err := fmt.Sscan(w.Header().Get("X-Rate-Limit-Reset"), &sec); err == nil {
			reset = time.Unix(sec, 0)
		}
	}
	l.mu.Lock()
	l.reqs[i].End, l.reqs[i].Status, l.reqs[i].Reset = end, sw.code(), reset
	l.mu.Unlock()
}

// all returns a copy of the requests so far.
func (l *requestLog) all() []request {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]request(nil), l.reqs...)
}

// count counts the requests that match.
func (l *requestLog) count(match func(request) bool) int {
	n := 0
	for _, r := range l.all() {
		if match(r) {
			n++
		}
	}
	return n
}

// matching returns the requests that match.
func (l *requestLog) matching(match func(request) bool) []request {
	var out []request
	for _, r := range l.all() {
		if match(r) {
			out = append(out, r)
		}
	}
	return out
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *statusWriter) code() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}
