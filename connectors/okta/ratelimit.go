package okta

import (
	"net/http"
	"strings"
	"sync"
	"time"
)

// resetBook remembers, per rate-limit bucket, until when Okta said the
// bucket is exhausted. Okta counts limits per org and endpoint, so after one
// 429 every request to that endpoint would be refused until the reset too:
// the transport answers those itself, with the same 429, instead of sending
// them (the engine then waits for the reset before its next attempt). The
// zero value is ready to use.
type resetBook struct {
	mu      sync.Mutex
	buckets map[string]*rateLimitedError
}

// refused returns the remembered 429 of req's bucket while its reset is in
// the future, else nil.
func (b *resetBook) refused(req *http.Request, now time.Time) *rateLimitedError {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.buckets) == 0 {
		return nil // the usual case: no bucket to name (bucketOf allocates)
	}
	rl, ok := b.buckets[bucketOf(req)]
	if !ok {
		return nil
	}
	if !now.Before(rl.at) {
		delete(b.buckets, bucketOf(req))
		return nil
	}
	return rl
}

// record remembers a 429 for req's bucket, if it says when the limit
// resets. A 429 of the org's concurrency limit is not remembered: it says
// nothing of the bucket, and a request sent as soon as another one ends
// passes.
func (b *resetBook) record(req *http.Request, rl *rateLimitedError) {
	at := rl.at
	if at.IsZero() || rl.concurrency() {
		return
	}
	key := bucketOf(req)
	b.mu.Lock()
	defer b.mu.Unlock()
	if old, ok := b.buckets[key]; ok && old.at.After(at) {
		return
	}
	if b.buckets == nil {
		b.buckets = map[string]*rateLimitedError{}
	}
	b.buckets[key] = rl
}

// bucketOf names the endpoint a request counts against: its path with the
// ids replaced, e.g. /api/v1/groups/{id}/users/{id}. Below /api/v1 paths
// alternate between collection names and ids; a trailing operation name
// (lifecycle/activate) is treated as an id, which only merges buckets.
func bucketOf(req *http.Request) string {
	rest, ok := strings.CutPrefix(req.URL.Path, "/api/v1/")
	if !ok {
		return req.URL.Path
	}
	segs := strings.Split(strings.Trim(rest, "/"), "/")
	for i := 1; i < len(segs); i += 2 {
		segs[i] = "{id}"
	}
	return "/api/v1/" + strings.Join(segs, "/")
}
