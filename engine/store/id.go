package store

import (
	crand "crypto/rand"
	"errors"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/oklog/ulid/v2"
)

// idPrefix starts every execution id.
const idPrefix = "ex_"

// IDSource makes execution ids of the form "ex_" + ULID
// (github.com/oklog/ulid/v2): 48 bits of milliseconds then 80 random bits,
// 26 characters of Crockford base32, so ids sort as strings in the order of
// the time they were made. Within one millisecond (and when the clock steps
// back) the random part grows monotonically, so ids sort in the order they
// were made within the process too. The zero value is ready to use and safe
// for concurrent use.
type IDSource struct {
	// mu guards entropy, which ulid documents as unsafe for concurrent use,
	// and lastMS, which keeps ids in order when the clock steps back.
	mu      sync.Mutex
	entropy *ulid.MonotonicEntropy
	lastMS  uint64
}

// Next returns a new execution id made at now. Every Store implementation
// uses it, so that ids look and sort alike whatever the store.
func (g *IDSource) Next(now time.Time) string {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.entropy == nil {
		// ChaCha8 seeded from crypto/rand, as math/rand/v2's own source:
		// reading crypto/rand itself made each id twice as slow. Increments
		// of up to 2^32 (the library's default) within a millisecond keep
		// ids hard to guess from their neighbours.
		var seed [32]byte
		_, _ = crand.Read(seed[:]) // never fails (Go 1.24)
		src := rand.NewChaCha8(seed)
		g.entropy = ulid.Monotonic(chacha{src, rand.New(src)}, 0)
	}
	// A clock before 1970 or after 10889 gets the nearest time a ULID holds.
	ms := max(min(uint64(max(now.UnixMilli(), 0)), ulid.MaxTime()), g.lastMS)
	for {
		id, err := ulid.New(ms, g.entropy)
		if errors.Is(err, ulid.ErrMonotonicOverflow) {
			ms++ // the millisecond's 80 bits are used up: borrow the next one
			continue
		}
		if err != nil {
			// ChaCha8 does not fail to read; a ULID then cannot either.
			panic("store: execution id: " + err.Error())
		}
		g.lastMS = ms
		var b [len(idPrefix) + ulid.EncodedSize]byte
		copy(b[:], idPrefix)
		_ = id.MarshalTextTo(b[len(idPrefix):]) // fails only on a short buffer
		return string(b[:])
	}
}

// chacha is the entropy of ids: ulid.Monotonic reads the random part of a
// new millisecond's first id and, through Int63n (its fast path), draws the
// increment of the next ones.
type chacha struct {
	src *rand.ChaCha8
	rng *rand.Rand // over src
}

func (c chacha) Read(p []byte) (int, error) { return c.src.Read(p) }
func (c chacha) Int63n(n int64) int64       { return c.rng.Int64N(n) }

// IDAt returns the smallest id an execution made at t can have: ids made
// at t or later sort at or after it, earlier ones before it.
func IDAt(t time.Time) string {
	var id ulid.ULID // zero entropy: the least id of its millisecond
	if err := id.SetTime(uint64(max(t.UnixMilli(), 0))); err != nil {
		id = ulid.ULID{0xff, 0xff, 0xff, 0xff, 0xff, 0xff} // after 10889 AD: after every id
	}
	return idPrefix + id.String()
}
