package store

import (
	"testing"
	"time"
)

// BenchmarkIDSource is the cost of one execution id, made by one goroutine
// (within one millisecond, or each in a new one) and by all of them at once (the stores make ids under concurrent
// enqueues), with IDSource (ulid) and with the hand-written generator it
// replaced (legacy).
func BenchmarkIDSource(b *testing.B) {
	for _, gen := range []struct {
		name string
		new  func() func(time.Time) string
	}{
		{"ulid", func() func(time.Time) string { return new(IDSource).Next }},
		{"legacy", func() func(time.Time) string { return new(legacyIDSource).Next }},
	} {
		b.Run(gen.name+"/serial", func(b *testing.B) {
			next, now := gen.new(), time.Now()
			b.ReportAllocs()
			for b.Loop() {
				_ = next(now)
			}
		})
		b.Run(gen.name+"/new_millisecond", func(b *testing.B) {
			next, now := gen.new(), time.Now()
			b.ReportAllocs()
			for b.Loop() {
				now = now.Add(time.Millisecond)
				_ = next(now)
			}
		})
		b.Run(gen.name+"/parallel", func(b *testing.B) {
			next, now := gen.new(), time.Now()
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					_ = next(now)
				}
			})
		})
	}
}
