package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// measure runs the load, waits until every acknowledged delivery's
// execution ended, and records CPU and memory of every process.
func (b *bench) measure(ctx context.Context, res *result) error {
	urls := make([]string, len(b.engines))
	for i, e := range b.engines {
		urls[i] = e.url
	}
	g := newLoadgen(urls, b.users)
	before := b.snapCPU()
	start := time.Now()
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var bg sync.WaitGroup
	smp := &sampler{}
	go smp.run(sctx, b, start)
	var walMax atomic.Int64
	if b.storeURL == "" {
		bg.Add(1)
		go func() {
			defer bg.Done()
			watchWAL(sctx, b.dbPath+"-wal", &walMax)
		}()
	}
	if b.opts.HoldRead > 0 && b.storeURL == "" {
		bg.Add(1)
		go func() {
			defer bg.Done()
			res.HoldRead = b.holdRead(sctx, start, start.Add(b.opts.Duration/4), b.opts.HoldRead)
		}()
	}
	if b.opts.ReloadAt > 0 {
		bg.Add(1)
		go func() {
			defer bg.Done()
			res.Reload = b.reloadUnderLoad(sctx, start.Add(b.opts.ReloadAt))
		}()
	}
	if b.opts.Pprof != "" {
		bg.Add(1)
		go func() {
			defer bg.Done()
			select {
			case <-sctx.Done():
				return
			case <-time.After(b.opts.PprofAfter):
			}
			if err := b.profile(sctx, b.opts.Pprof, b.opts.PprofFor); err != nil {
				b.logf("profile: %v", err)
				return
			}
			res.Profile = b.opts.Pprof
			shares, err := summarizeProfile(b.opts.Pprof)
			if err != nil {
				b.logf("profile: %v", err)
			}
			res.ProfileShares = shares
			b.logf("wrote the engine's CPU profile to %s (go tool pprof -top %s %s)", b.opts.Pprof, b.opts.Bin, b.opts.Pprof)
		}()
	}
	if b.opts.PprofEmu != "" {
		bg.Add(1)
		go func() {
			defer bg.Done()
			select {
			case <-sctx.Done():
				return
			case <-time.After(b.opts.PprofAfter):
			}
			paths, err := b.profileEmulators(sctx, b.opts.PprofEmu, b.opts.PprofFor)
			if err != nil {
				b.logf("profile: %v", err)
			}
			res.EmulatorProfiles = paths
		}()
	}
	b.logf("load: %s against %v, %d users", b.opts.mode(), g.urls, len(b.users))
	var n int
	if b.opts.Concurrency > 0 {
		ended := b.ended // counted from the engines' logs (finishedLine)
		go func() {
			for sctx.Err() == nil {
				// The same count from /metrics, should a log line be missed.
				// Every 50 ms: a scrape costs the engine about 0.3 ms of CPU,
				// 5 % of its CPU when polled every 10 ms.
				if c, err := b.metrics(sctx); err == nil {
					ended.store(int64(c.Ended))
				}
				time.Sleep(50 * time.Millisecond)
			}
		}()
		n = g.closedLoop(ctx, b.opts.Concurrency, b.opts.Duration, ended)
	} else {
		n = g.openLoop(ctx, b.opts.Rate, b.opts.Duration, b.opts.Conns)
	}
	loadEnd := time.Now()
	acked := 0
	for _, d := range g.dels {
		if d.Status == 200 {
			acked++
		}
	}
	b.logf("load: %d deliveries sent in %.1fs, %d acknowledged; waiting for the executions", n, loadEnd.Sub(start).Seconds(), acked)
	drained := false
	deadline := time.Now().Add(b.opts.Drain)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		if c, err := b.metrics(ctx); err == nil && c.Ended >= float64(acked) {
			drained = true
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	done := time.Now()
	after := b.snapCPU()
	cancel()
	bg.Wait()
	res.Deliveries = g.dels
	res.Sent = n
	res.Start, res.LoadEnd, res.Done = start, loadEnd, done
	res.Drained = drained
	res.Samples = smp.all()
	res.Disk.WALMax = walMax.Load()
	res.cpu(before, after)
	return ctx.Err()
}

// reloadResult is what the hot-reload-under-load mode measured.
type reloadResult struct {
	At       float64 `json:"at_s"`            // seconds into the load the flow file was written
	LiveMS   float64 `json:"live_ms"`         // write → /api/v1/health shows the new generation
	From     int64   `json:"from_generation"` //
	To       int64   `json:"to_generation"`
	Error    string  `json:"error,omitempty"`
	NewHash  int     `json:"executions_on_new_definition"`
	OldHash  int     `json:"executions_on_old_definition"`
	Observed bool    `json:"observed"`
}

// reloadUnderLoad changes the flow's description at `at` (a real change:
// the definition hash changes) and polls /api/v1/health until the
// generation moves.
func (b *bench) reloadUnderLoad(ctx context.Context, at time.Time) *reloadResult {
	r := &reloadResult{}
	select {
	case <-ctx.Done():
		return r
	case <-time.After(time.Until(at)):
	}
	h, err := b.health(ctx)
	if err != nil {
		r.Error = err.Error()
		return r
	}
	r.From = h.Generation
	path := filepath.Join(b.flowsDir, b.opts.Flow+".hcl")
	src, err := os.ReadFile(path)
	if err == nil {
		changed := strings.Replace(string(src), `description = "A user was created`, `description = "(changed under load) A user was created`, 1)
		err = os.WriteFile(path, []byte(changed), 0o644)
	}
	written := time.Now()
	if err != nil {
		r.Error = err.Error()
		return r
	}
	r.At = written.Sub(at.Add(-b.opts.ReloadAt)).Seconds()
	for time.Since(written) < 10*time.Second && ctx.Err() == nil {
		if h, err := b.health(ctx); err == nil && h.Generation > r.From {
			r.LiveMS = float64(time.Since(written).Microseconds()) / 1000
			r.To, r.Observed = h.Generation, true
			b.logf("reload: generation %d live %.0f ms after the flow file changed", r.To, r.LiveMS)
			return r
		}
		time.Sleep(2 * time.Millisecond)
	}
	r.Error = "the new generation did not go live within 10s"
	return r
}
