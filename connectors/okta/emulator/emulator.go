package emulator

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Options configures an Emulator. The zero value is usable.
type Options struct {
	// Token is the API token to require. Empty accepts any non-empty
	// "SSWS x" or "Bearer x"; otherwise the token must match exactly.
	Token string
	// Now is the clock for timestamps, rate-limit windows and log queries.
	// Default time.Now.
	Now func() time.Time
	// EnforceRateLimits answers 429 E0000047, as Okta does, to a request
	// whose rate-limit bucket (see RateBuckets) has used up its limit in
	// the current window, until the window resets. Off by default: the
	// buckets are counted and reported in the X-Rate-Limit-* headers only,
	// so that load tests are not throttled.
	EnforceRateLimits bool
	// RateLimits overrides the limits of buckets, by name (RateBuckets),
	// e.g. {"user_read": 5}. New panics on an unknown name or a limit
	// below 1; CheckRateLimits says which.
	RateLimits map[string]int
	// RateLimitWindow is the length of a rate-limit window. Default one
	// minute, as in Okta; tests shorten it.
	RateLimitWindow time.Duration
	// ConcurrencyLimit is, with EnforceRateLimits, how many API requests
	// the org processes at once, across all endpoints; a request beyond
	// it is answered 429 E0000047 with X-Rate-Limit-Limit and -Remaining
	// 0, as Okta answers it. 0 means DefaultConcurrencyLimit (75, Okta's
	// default); NoConcurrencyLimit turns it off. Without EnforceRateLimits
	// there is no concurrency limit.
	ConcurrencyLimit int
	// HookClient sends event-hook verifications and deliveries. Default: a
	// client with a 3 s timeout and its own transport, closed by Close.
	HookClient *http.Client
	// Logger receives delivery failures and other diagnostics. Optional.
	Logger *slog.Logger
	// DeliveryBatchWindow, when positive, amalgamates the events of one
	// event hook that occur within this long of its first into one
	// delivery (data.events holds them all, in order), as Okta does with
	// events that occur close together. Default 0: each event is
	// delivered at once, alone.
	DeliveryBatchWindow time.Duration
	// OrgURL is the base used in _links, activation URLs and the event-hook
	// "source" when there is no request to take it from (the direct
	// helpers). Default: the Host of the latest request, else
	// "http://okta.emulator.invalid".
	OrgURL string
}

// Emulator is an in-memory Okta org. It is an http.Handler; all methods are
// safe for concurrent use.
type Emulator struct {
	now        func() time.Time
	token      atomic.Value // string
	logger     *slog.Logger
	hookClient *http.Client
	transport  *http.Transport // owned by us when HookClient was nil
	orgURL     atomic.Value    // string
	fixedOrg   bool
	mux        *http.ServeMux
	control    *http.ServeMux // controlPrefix paths
	ids        idGen
	requests   atomic.Int64
	// faultCount is len(faults), read without the lock so that a request
	// takes e.mu once fewer when no fault is injected.
	faultCount atomic.Int32

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	wake   chan struct{}

	mu          sync.Mutex
	seq         int64
	users       map[string]*userRec
	userOrder   []*userRec
	byLogin     map[string]*userRec // lower-cased login → user
	groups      map[string]*groupRec
	groupOrder  []*groupRec
	everyone    *groupRec // the BUILT_IN group every user is in
	apps        map[string]*appRec
	appOrder    []*appRec
	events      []*LogEvent
	hooks       map[string]*hookRec
	hookOrder   []*hookRec
	faults      []*faultRec
	queue       []delivery
	batches     map[string]*batch // by hook id, with DeliveryBatchWindow
	batchWindow time.Duration
	dupNext     bool
	quiet       bool // seeding: no System Log events
	// rates has its own lock: every request takes it.
	rates *rateLimiter
	// inFlight is lock-free: every request takes a slot.
	inFlight *concurrency
}

// New returns an empty org and starts its event-hook delivery goroutine;
// call Close to stop it.
func New(opts Options) *Emulator {
	e := &Emulator{
		now:      opts.Now,
		logger:   opts.Logger,
		users:    map[string]*userRec{},
		byLogin:  map[string]*userRec{},
		groups:   map[string]*groupRec{},
		apps:     map[string]*appRec{},
		hooks:    map[string]*hookRec{},
		batches:  map[string]*batch{},
		wake:     make(chan struct{}, 1),
		rates:    newRateLimiter(opts),
		inFlight: newConcurrency(opts),
	}
	e.batchWindow = opts.DeliveryBatchWindow
	e.token.Store(opts.Token)
	if e.now == nil {
		e.now = time.Now
	}
	if e.logger == nil {
		e.logger = slog.New(slog.DiscardHandler)
	}
	e.hookClient = opts.HookClient
	if e.hookClient == nil {
		e.transport = http.DefaultTransport.(*http.Transport).Clone()
		e.hookClient = &http.Client{Timeout: hookTimeout, Transport: e.transport}
	}
	org := opts.OrgURL
	if org == "" {
		org = "http://okta.emulator.invalid"
	}
	e.orgURL.Store(org)
	e.ctx, e.cancel = context.WithCancel(context.Background())
	e.fixedOrg = opts.OrgURL != ""
	e.routes()
	e.addEveryoneGroup()
	e.wg.Add(1)
	go e.deliverLoop()
	return e
}

// Close stops event-hook deliveries (in-flight ones are cancelled) and waits
// for the delivery goroutine to end. The handler keeps answering API calls.
func (e *Emulator) Close() {
	e.cancel()
	e.wg.Wait()
	if e.transport != nil {
		e.transport.CloseIdleConnections()
	}
}

// Requests reports how many API requests the emulator has received,
// including rejected and fault-injected ones.
func (e *Emulator) Requests() int64 { return e.requests.Load() }

// callCtx is what a change needs to know about who asked: it feeds the
// System Log event (client, transaction, debugContext) and the _links base.
type callCtx struct {
	base      string
	requestID string
	uri       string
	url       string
	userAgent string
	ip        string
}

func (e *Emulator) directCall(uri string) *callCtx {
	return &callCtx{
		base:      e.orgURL.Load().(string),
		requestID: e.ids.random(27),
		uri:       uri,
		url:       uri,
		userAgent: "cardflow-okta-emulator",
		ip:        "127.0.0.1",
	}
}

func (e *Emulator) httpCall(w http.ResponseWriter, r *http.Request) *callCtx {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	ip := r.RemoteAddr
	if i := lastColon(ip); i > 0 {
		ip = ip[:i]
	}
	base := scheme + "://" + r.Host
	if e.fixedOrg {
		base = e.orgURL.Load().(string)
	} else if e.orgURL.Load().(string) != base {
		e.orgURL.Store(base) // a Store boxes the string: only on a change
	}
	return &callCtx{
		base:      base,
		requestID: w.Header().Get("X-Okta-Request-Id"),
		uri:       r.URL.Path,
		url:       r.URL.RequestURI(),
		userAgent: r.UserAgent(),
		ip:        ip,
	}
}

func lastColon(s string) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == ':' {
			return i
		}
	}
	return -1
}

// ServeHTTP answers one Okta Management API request.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	e.requests.Add(1)
	if strings.HasPrefix(r.URL.Path, controlPrefix) {
		e.serveControl(w, r)
		return
	}
	now := e.now()
	h := w.Header()
	// Headers go in under their canonical keys: Set's work done once.
	h["X-Okta-Request-Id"] = []string{e.ids.random(27)}
	// The SDK computes its 429 back-off as X-Rate-Limit-Reset - Date, so both
	// come from the same clock.
	h["Date"] = []string{now.UTC().Format(http.TimeFormat)}
	// The slot is taken before anything else and given back however the
	// request ends (a dropped connection aborts with a panic): a refused
	// request counts against no bucket, an injected latency holds its slot.
	if !e.inFlight.enter() {
		concurrencyRefusal(h, now)
		e.writeError(w, errRateLimited)
		return
	}
	defer e.inFlight.leave()
	b := bucketOf(r.Method, r.URL.Path)
	if e.applyFault(w, r, b, now) {
		return
	}
	if !e.rates.take(b, now, h) {
		e.writeError(w, errRateLimited)
		return
	}
	if !e.authorized(r) {
		e.writeError(w, errInvalidToken)
		return
	}
	if _, pattern := e.mux.Handler(r); pattern == "" {
		e.writeError(w, e.unrouted(r))
		return
	}
	e.mux.ServeHTTP(w, r)
}

// serveControl answers the emulator's own controls: JSON errors in Okta's
// shape, but no token, fault or rate limit applies.
func (e *Emulator) serveControl(w http.ResponseWriter, r *http.Request) {
	w.Header()["X-Okta-Request-Id"] = []string{e.ids.random(27)}
	if _, pattern := e.control.Handler(r); pattern == "" {
		e.writeError(w, errNoResource)
		return
	}
	e.control.ServeHTTP(w, r)
}

// unrouted tells an unknown path (404) from a known path with the wrong
// method (405 E0000022).
func (e *Emulator) unrouted(r *http.Request) *apiError {
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, p := e.mux.Handler(probe); p != "" {
			return errNoMethod
		}
	}
	return errNoResource
}

// SetToken replaces the API token the org requires, as an admin who
// rotates it does: from then on only the new one is accepted.
func (e *Emulator) SetToken(token string) { e.token.Store(token) }

func (e *Emulator) authorized(r *http.Request) bool {
	auth := r.Header.Get("Authorization")
	for _, scheme := range []string{"SSWS ", "Bearer "} {
		if len(auth) > len(scheme) && auth[:len(scheme)] == scheme {
			tok := auth[len(scheme):]
			want, _ := e.token.Load().(string)
			return want == "" || tok == want
		}
	}
	return false
}

// decodeBody reads a JSON request body into v.
func decodeBody(r *http.Request, v any) *apiError {
	data, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return badRequestBody(err)
	}
	if len(data) == 0 {
		return badRequestBody(errors.New("empty body"))
	}
	if err := json.Unmarshal(data, v); err != nil {
		return badRequestBody(err)
	}
	return nil
}

// idGen makes Okta-looking identifiers: a 3-character type prefix, a
// counter, random padding and an org-cell suffix, 20 characters in all.
type idGen struct{ n atomic.Int64 }

const alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

// random returns n characters drawn uniformly from alphabet. One read of
// random bytes serves them all (a rand.Int per character cost a request
// more than its routing): a byte maps to alphabet[x % 62] when x < 248,
// four whole rounds of the alphabet, and is redrawn otherwise.
func (g *idGen) random(n int) string {
	const accept = 256 - 256%len(alphabet)
	b := make([]byte, n)
	var pool [64]byte
	for i := 0; i < n; {
		_, _ = rand.Read(pool[:]) // crypto/rand.Read never fails
		for _, x := range pool {
			if int(x) >= accept {
				continue
			}
			b[i] = alphabet[int(x)%len(alphabet)]
			if i++; i == n {
				break
			}
		}
	}
	return string(b)
}

func (g *idGen) next(prefix string) string {
	c := g.n.Add(1)
	counter := strconv.FormatInt(c, 36)
	pad := 14 - len(counter)
	return prefix + g.random(pad) + counter + "0h7"
}

func (g *idGen) uuid() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	const hex = "0123456789abcdef"
	out := make([]byte, 0, 36)
	for i, x := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out = append(out, '-')
		}
		out = append(out, hex[x>>4], hex[x&0x0f])
	}
	return string(out)
}

// stamp is Okta's timestamp precision: UTC milliseconds.
func (e *Emulator) stamp() time.Time { return e.now().UTC().Truncate(time.Millisecond) }

func (e *Emulator) nextSeq() int64 {
	e.seq++
	return e.seq
}
