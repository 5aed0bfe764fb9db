package store

import (
	"math/rand/v2"
	"sync"
	"time"
)

// legacyIDSource is the hand-written generator execution ids came from
// before IDSource used github.com/oklog/ulid/v2, kept as the reference that
// ids already in stores are checked against (TestOldIDsStillSort) and as
// the baseline of BenchmarkIDSource.
type legacyIDSource struct {
	mu     sync.Mutex
	lastMS uint64
	hi     uint16 // top 16 of the 80 random bits
	lo     uint64
}

const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

func (g *legacyIDSource) Next(now time.Time) string {
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
