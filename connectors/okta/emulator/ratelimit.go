package emulator

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Okta counts requests per org in per-endpoint buckets, each with its own
// limit per window, and reports the bucket of the request in
// X-Rate-Limit-Limit, -Remaining and -Reset (epoch seconds). The buckets
// and default limits are the per-minute management limits Okta
// documented for Workforce Identity orgs (developer.okta.com
// rl-global-mgmt, May 2025; newer docs show them only in the org's rate
// limit dashboard), one per entry of rateBuckets.
//
// Endpoints no bucket names (a user's lifecycle operations and
// groups, group memberships, event hooks) count against "other", as Okta
// counts endpoints that match no specific bucket. Okta's concurrency limit
// is apart from the buckets (concurrency.go).
var rateBuckets = [...]RateBucket{
	bucketUsers:     {Name: "users", Endpoints: "GET, POST /api/v1/users", Limit: 600},
	bucketUserRead:  {Name: "user_read", Endpoints: "GET /api/v1/users/{idOrLogin}", Limit: 2000},
	bucketUserWrite: {Name: "user_write", Endpoints: "POST, PUT, DELETE /api/v1/users/{id}", Limit: 600},
	bucketGroups:    {Name: "groups", Endpoints: "GET, POST /api/v1/groups", Limit: 500},
	bucketGroup:     {Name: "group", Endpoints: "GET, PUT, DELETE /api/v1/groups/{id}", Limit: 1000},
	bucketApps:      {Name: "apps", Endpoints: "/api/v1/apps and /api/v1/apps/{id}/...", Limit: 100},
	bucketApp:       {Name: "app", Endpoints: "GET, PUT, DELETE /api/v1/apps/{id}", Limit: 500},
	bucketLogs:      {Name: "logs", Endpoints: "GET /api/v1/logs", Limit: 120},
	bucketOther:     {Name: "other", Endpoints: "every other /api/v1 endpoint", Limit: 1200},
}

type bucket int

const (
	bucketUsers bucket = iota
	bucketUserRead
	bucketUserWrite
	bucketGroups
	bucketGroup
	bucketApps
	bucketApp
	bucketLogs
	bucketOther
	numBuckets
)

// RateBucket is one of the rate-limit buckets the emulator counts
// requests in.
type RateBucket struct {
	// Name is the key of Options.RateLimits, e.g. "user_read".
	Name string
	// Endpoints says which requests count against the bucket.
	Endpoints string
	// Limit is the default number of requests per window.
	Limit int
}

// RateBuckets returns the buckets with their default limits, in a fixed
// order.
func RateBuckets() []RateBucket { return slices.Clone(rateBuckets[:]) }

// CheckRateLimits returns an error naming the first entry of limits that
// is not a bucket name with a positive limit; New panics on such limits.
func CheckRateLimits(limits map[string]int) error {
	names := make([]string, len(rateBuckets))
	for i, b := range rateBuckets {
		names[i] = b.Name
	}
	keys := make([]string, 0, len(limits))
	for k := range limits {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !slices.Contains(names, k) {
			return fmt.Errorf("no rate-limit bucket %q; the buckets are %s", k, strings.Join(names, ", "))
		}
		if limits[k] < 1 {
			return fmt.Errorf("rate limit of %s is %d; give at least 1 request per window", k, limits[k])
		}
	}
	return nil
}

// bucketOf returns the bucket a request counts against.
func bucketOf(method, path string) bucket {
	rest, ok := strings.CutPrefix(path, "/api/v1/")
	if !ok {
		return bucketOther
	}
	coll, sub, _ := strings.Cut(rest, "/")
	id, _, nested := strings.Cut(sub, "/")
	switch {
	case coll == "logs" && sub == "":
		return bucketLogs
	case coll == "users" && id == "":
		return bucketUsers
	case coll == "users" && !nested && method == http.MethodGet:
		return bucketUserRead
	case coll == "users" && !nested:
		return bucketUserWrite
	case coll == "groups" && id == "":
		return bucketGroups
	case coll == "groups" && !nested:
		return bucketGroup
	case coll == "apps" && (id == "" || nested):
		return bucketApps
	case coll == "apps":
		return bucketApp
	}
	return bucketOther
}

// rateLimiter counts requests per bucket in fixed windows. A window opens
// with the first request after the previous one ended and ends on a whole
// second, so that X-Rate-Limit-Reset (epoch seconds) is exactly its end:
// a client that waits for the reset is never refused again for being a
// fraction of a second early.
type rateLimiter struct {
	enforce bool
	window  time.Duration
	limits  [numBuckets]int
	// limitText are the X-Rate-Limit-Limit values, built once.
	limitText [numBuckets][]string

	mu      sync.Mutex
	windows [numBuckets]rateWindow
}

type rateWindow struct {
	end  time.Time
	used int
}

func newRateLimiter(opts Options) *rateLimiter {
	if err := CheckRateLimits(opts.RateLimits); err != nil {
		panic("okta emulator: " + err.Error())
	}
	rl := &rateLimiter{enforce: opts.EnforceRateLimits, window: opts.RateLimitWindow}
	if rl.window <= 0 {
		rl.window = time.Minute
	}
	for b, def := range rateBuckets {
		rl.limits[b] = def.Limit
		if n, ok := opts.RateLimits[def.Name]; ok {
			rl.limits[b] = n
		}
		rl.limitText[b] = []string{strconv.Itoa(rl.limits[b])}
	}
	return rl
}

// take counts a request against b at now and writes b's headers to h. It
// reports false when the emulator enforces limits and b's limit is used
// up: the request must be refused with 429 until the reset.
func (rl *rateLimiter) take(b bucket, now time.Time, h http.Header) bool {
	rl.mu.Lock()
	w := &rl.windows[b]
	// A clock that went back before the window began (a test's) opens a
	// new one too.
	if !now.Before(w.end) || now.Before(w.end.Add(-rl.window-time.Second)) {
		*w = rateWindow{end: windowEnd(now, rl.window)}
	}
	limit := rl.limits[b]
	allowed := !rl.enforce || w.used < limit
	if allowed {
		w.used++
	}
	remaining := max(limit-w.used, 0)
	reset := w.end.Unix()
	rl.mu.Unlock()
	rl.setHeaders(h, b, remaining, reset)
	return allowed
}

func (rl *rateLimiter) setHeaders(h http.Header, b bucket, remaining int, reset int64) {
	h["X-Rate-Limit-Limit"] = rl.limitText[b]
	h["X-Rate-Limit-Remaining"] = []string{strconv.Itoa(remaining)}
	h["X-Rate-Limit-Reset"] = []string{strconv.FormatInt(reset, 10)}
}

// windowEnd is now+window rounded up to a whole second.
func windowEnd(now time.Time, window time.Duration) time.Time {
	end := now.Add(window)
	if t := end.Truncate(time.Second); !t.Equal(end) {
		return t.Add(time.Second)
	}
	return end
}
