package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// delivery is one event hook POST and what became of it.
type delivery struct {
	UUID   string
	User   int   // index into bench.users
	Sched  int64 // Unix ns the delivery was due (open loop) or sent (closed loop)
	Acked  int64 // Unix ns the 200 arrived; 0 if it did not
	Status int   // HTTP status; 0 on a transport error
}

// hookTemplate is a delivery with one user.lifecycle.create event, in the
// shape of fixtures/okta/event-hook-user-created.json.
var hookTemplate = splitTemplate(`{"eventType":"com.okta.event_hook","eventTypeVersion":"1.0","cloudEventsVersion":"0.1",` +
	`"source":"https://acme.okta.com/api/v1/eventHooks/whoq1ab2cDeFgHiJk0h7","eventId":"{{EVENTID}}","eventTime":"{{TIME}}",` +
	`"contentType":"application/json","data":{"events":[{"uuid":"{{UUID}}","published":"{{TIME}}",` +
	`"eventType":"user.lifecycle.create","version":"0","displayMessage":"Create Okta user","severity":"INFO",` +
	`"client":{"userAgent":{"rawUserAgent":"okta-sdk-golang/2.17.0 golang/go1.22.3 linux/amd64","os":"Linux","browser":"UNKNOWN"},` +
	`"zone":"null","device":"Unknown","id":null,"ipAddress":"203.0.113.24","geographicalContext":{"city":"Oslo","state":"Oslo",` +
	`"country":"Norway","postalCode":"0150","geolocation":{"lat":59.9127,"lon":10.7461}}},"device":null,` +
	`"actor":{"id":"00u1adm1nXyZ9AbCd0h7","type":"User","alternateId":"it-admin@acme.example","displayName":"IT Admin","detailEntry":null},` +
	`"outcome":{"result":"SUCCESS","reason":null},` +
	`"target":[{"id":"{{USERID}}","type":"User","alternateId":"{{LOGIN}}","displayName":"{{NAME}}","detailEntry":null}],` +
	`"transaction":{"type":"WEB","id":"Zz0yYwAbCdEfGh1JkLmNoAAAAAA","detail":{}},` +
	`"debugContext":{"debugData":{"requestId":"Zz0yYwAbCdEfGh1JkLmNoAAAAAA","requestUri":"/api/v1/users","url":"/api/v1/users?activate=false"}},` +
	`"legacyEventType":"core.user.config.user_creation.success",` +
	`"authenticationContext":{"authenticationProvider":null,"credentialProvider":null,"credentialType":null,"issuer":null,` +
	`"interface":null,"authenticationStep":0,"externalSessionId":"trs1aBcDeFgHiJkLmNo"},` +
	`"securityContext":{"asNumber":null,"asOrg":null,"isp":null,"domain":null,"isProxy":null},"insertionTimestamp":null}]}}`)

// template is literal text with {{NAME}} holes, split once.
type template struct {
	lits  []string
	holes []string
}

func splitTemplate(s string) template {
	var t template
	for {
		i := strings.Index(s, "{{")
		if i < 0 {
			t.lits = append(t.lits, s)
			return t
		}
		j := strings.Index(s[i:], "}}") + i
		t.lits = append(t.lits, s[:i])
		t.holes = append(t.holes, s[i+2:j])
		s = s[j+2:]
	}
}

func (t template) appendTo(dst []byte, vals map[string]string) []byte {
	for i, h := range t.holes {
		dst = append(dst, t.lits[i]...)
		dst = append(dst, vals[h]...)
	}
	return append(dst, t.lits[len(t.lits)-1]...)
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// loadgen sends deliveries to the engines' hook endpoint, delivery i to
// engine i mod their number.
type loadgen struct {
	urls  []string
	users []user
	dels  []delivery
	next  atomic.Int64 // next delivery index (closed loop)
	sent  atomic.Int64
}

func newLoadgen(engURLs []string, users []user) *loadgen {
	urls := make([]string, len(engURLs))
	for i, u := range engURLs {
		urls[i] = u + "/hooks/okta/main"
	}
	return &loadgen{urls: urls, users: users, dels: make([]delivery, len(users))}
}

// sender is what one sending goroutine reuses from a delivery to the next:
// its connection to each engine, the body's buffer and the template's
// values.
type sender struct {
	clients []*hookClient // by engine
	buf     []byte
	vals    map[string]string
}

func (g *loadgen) newSender() *sender {
	s := &sender{vals: map[string]string{}}
	for _, u := range g.urls {
		c, err := newHookClient(u)
		if err != nil {
			panic(err) // the harness built the URL: http://127.0.0.1:port/...
		}
		s.clients = append(s.clients, c)
	}
	return s
}

// close closes the sender's connections.
func (s *sender) close() {
	for _, c := range s.clients {
		c.close()
	}
}

// send POSTs delivery i and records its outcome.
func (g *loadgen) send(ctx context.Context, i int, s *sender) {
	d := &g.dels[i]
	u := g.users[d.User]
	now := time.Now().UTC()
	s.vals["EVENTID"], s.vals["TIME"], s.vals["UUID"] = newUUID(), now.Format("2006-01-02T15:04:05.000Z"), d.UUID
	s.vals["USERID"], s.vals["LOGIN"], s.vals["NAME"] = u.ID, u.Login, u.First+" "+u.Last
	s.buf = hookTemplate.appendTo(s.buf[:0], s.vals)
	g.sent.Add(1)
	status, err := s.clients[i%len(s.clients)].post(ctx, hookSecret, s.buf)
	if err != nil {
		return
	}
	d.Status = status
	if status == http.StatusOK {
		d.Acked = time.Now().UnixNano()
	}
}

// openLoop sends rate deliveries per second for d, each at its due time
// whatever became of the earlier ones (latency counts from the due time, so
// a stalled engine cannot hide queueing), with at most conns in flight.
func (g *loadgen) openLoop(ctx context.Context, rate float64, d time.Duration, conns int) int {
	total := min(int(rate*d.Seconds()), len(g.dels))
	due := make(chan int, total)
	var wg sync.WaitGroup
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := g.newSender()
			defer s.close()
			for i := range due {
				g.send(ctx, i, s)
			}
		}()
	}
	start := time.Now()
	interval := float64(time.Second) / rate
	n := 0
	for n < total && ctx.Err() == nil {
		elapsed := time.Since(start)
		for n < total && float64(n)*interval <= float64(elapsed) {
			g.dels[n] = delivery{UUID: newUUID(), User: n, Sched: start.Add(time.Duration(float64(n) * interval)).UnixNano()}
			due <- n
			n++
		}
		time.Sleep(time.Millisecond)
	}
	close(due)
	wg.Wait()
	g.dels = g.dels[:n]
	return n
}

// closedLoop keeps conc executions outstanding for d: a delivery is sent
// when fewer than conc acknowledged deliveries have not yet ended as an
// execution. The hook acknowledges once the event is stored, so a loop on
// acknowledgements alone would only fill the inbox; ended (the engine's
// cardflow_executions_total, polled) closes the loop on executions. A
// sender with no slot sleeps until ended grows or a send fails: polling
// for a slot cost the load generator more CPU than its requests did.
func (g *loadgen) closedLoop(ctx context.Context, conc int, d time.Duration, ended *progress) int {
	lctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var wg sync.WaitGroup
	var acked atomic.Int64
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := g.newSender()
			defer s.close()
			for lctx.Err() == nil {
				n, grew := ended.load()
				a := acked.Load()
				if a-n >= int64(conc) {
					select {
					case <-grew:
					case <-lctx.Done():
					}
					continue
				}
				// Counted before the answer so that senders do not
				// overshoot; the swap fails when another sender took the
				// slot first.
				if !acked.CompareAndSwap(a, a+1) {
					continue
				}
				i := int(g.next.Add(1) - 1)
				if i >= len(g.dels) {
					return
				}
				g.dels[i] = delivery{UUID: newUUID(), User: i, Sched: time.Now().UnixNano()}
				g.send(ctx, i, s)
				if g.dels[i].Status != 200 {
					acked.Add(-1)
					ended.wake()
				}
			}
		}()
	}
	wg.Wait()
	n := min(int(g.next.Load()), len(g.dels))
	g.dels = g.dels[:n]
	return n
}

// progress is the count of ended executions as the harness last read it,
// with a channel that is closed when it grows (or wake is called), so that
// senders waiting for a slot sleep instead of polling.
type progress struct {
	mu   sync.Mutex
	n    int64
	grew chan struct{}
}

func newProgress() *progress { return &progress{grew: make(chan struct{})} }

// load returns the count and the channel closed at its next change.
func (p *progress) load() (int64, <-chan struct{}) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.n, p.grew
}

// store records a new count; the waiters wake if it grew.
func (p *progress) store(n int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if n > p.n {
		p.n = n
		p.wakeLocked()
	}
}

// wake wakes the waiters with the count unchanged: a slot opened another
// way (a delivery was not acknowledged).
func (p *progress) wake() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.wakeLocked()
}

func (p *progress) wakeLocked() {
	close(p.grew)
	p.grew = make(chan struct{})
}
