package store

import (
	"math/rand/v2"
	"sync"
	"time"
)

// crockford is the base32 alphabet of ULIDs: sortable as ASCII, no I L O U.
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// IDSource makes execution ids of the form "ex_" + ULID: 48 bits of
// milliseconds then 80 random bits, monotonic within the process (an id made
// in the same millisecond as the last one is the last one plus one), so ids
// sort in the order they were made. The zero value is ready to use.
type IDSource struct {
	mu     sync.Mutex
	lastMS uint64
	hi     uint16 // top 16 of the 80 random bits
	lo     uint64
}

// Next returns a new execution id made at now. Every Store implementation
// uses it, so that ids look and sort alike whatever the store.
func (g *IDSource) Next(now time.Time) string {
	g.mu.Lock()
	ms := uint64(now.UnixMilli())
	if ms > g.lastMS {
		g.lastMS, g.hi, g.lo = ms, uint16(rand.Uint32()), rand.Uint64()
	} else {
		g.lo++
		if g.lo == 0 {
			g.hi++
		}
	}
	ms, hi, lo := g.lastMS, g.hi, g.lo
	g.mu.Unlock()

	var b [3 + 26]byte
	copy(b[:], "ex_")
	for i := 12; i >= 3; i-- { // 10 characters of time, 50 bits
		b[i] = crockford[ms&31]
		ms >>= 5
	}
	for i := 28; i >= 13; i-- { // 16 characters of randomness, 80 bits
		b[i] = crockford[lo&31]
		lo = lo>>5 | uint64(hi&31)<<59
		hi >>= 5
	}
	return string(b[:])
}

// IDAt returns the smallest id an execution made at t can have: ids made
// at t or later sort at or after it, earlier ones before it.
func IDAt(t time.Time) string {
	ms := uint64(max(t.UnixMilli(), 0))
	b := []byte("ex_0000000000" + "0000000000000000")
	for i := 12; i >= 3; i-- {
		b[i] = crockford[ms&31]
		ms >>= 5
	}
	return string(b)
}
