package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// healthView is the part of the admin GET /api/v1/health the harness
// reads (the public /healthz tells the status only).
type healthView struct {
	Status     string `json:"status"`
	Generation int64  `json:"generation"`
	Inbox      int64  `json:"inbox"`
}

// health is the first engine's health.
func (b *bench) health(ctx context.Context) (healthView, error) { return b.healthOf(ctx, b.adminURL) }

func (b *bench) healthOf(ctx context.Context, adminURL string) (healthView, error) {
	var h healthView
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, adminURL+"/api/v1/health", nil)
	if err != nil {
		return h, err
	}
	resp, err := b.client.Do(req)
	if err != nil {
		return h, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return h, fmt.Errorf("health: HTTP %d", resp.StatusCode)
	}
	return h, json.NewDecoder(resp.Body).Decode(&h)
}

// counters are the engine's Prometheus counters the harness follows.
type counters struct {
	Succeeded float64 // cardflow_executions_total{flow=request_approval,status=succeeded}
	Ended     float64 // the same, all statuses
	Received  float64 // cardflow_events_received_total{flow=request_approval}
	Depth     float64 // cardflow_inbox_depth
}

// metrics sums every engine's counters.
func (b *bench) metrics(ctx context.Context) (counters, error) {
	var sum counters
	for _, e := range b.engines {
		c, err := b.metricsOf(ctx, e.adminURL)
		if err != nil {
			return sum, err
		}
		sum.Succeeded += c.Succeeded
		sum.Ended += c.Ended
		sum.Received += c.Received
		sum.Depth += c.Depth
	}
	return sum, nil
}

func (b *bench) metricsOf(ctx context.Context, adminURL string) (counters, error) {
	var c counters
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, adminURL+"/metrics", nil)
	if err != nil {
		return c, err
	}
	// Sampled every second, fifteen times Prometheus's usual rate: spare
	// the engine the gzip that Go's client would ask for on its own (it was
	// half the cost of a scrape, 1 % of the engine's CPU under load).
	req.Header.Set("Accept-Encoding", "identity")
	resp, err := b.client.Do(req)
	if err != nil {
		return c, err
	}
	defer resp.Body.Close()
	// Polled every 50 ms in the closed loop: the lines are read as bytes
	// and only the few the harness follows are parsed.
	sc := bufio.NewScanner(resp.Body)
	flowLabel := []byte(`flow="` + b.opts.Flow + `"`)
	for sc.Scan() {
		line := sc.Bytes()
		var dst *float64
		var ended bool
		switch name, rest, _ := bytes.Cut(line, []byte("{")); {
		case len(line) == 0 || line[0] == '#':
			continue
		case string(name) == "cardflow_executions_total" && bytes.Contains(rest, flowLabel):
			dst, ended = &c.Ended, true
		case string(name) == "cardflow_events_received_total" && bytes.Contains(rest, flowLabel):
			dst = &c.Received
		case bytes.HasPrefix(line, []byte("cardflow_inbox_depth ")):
			dst = &c.Depth
		default:
			continue
		}
		i := bytes.LastIndexByte(line, ' ')
		if i < 0 {
			continue
		}
		v, err := strconv.ParseFloat(string(line[i+1:]), 64)
		if err != nil {
			continue
		}
		switch {
		case ended:
			c.Ended += v
			if bytes.Contains(line[:i], []byte(`status="succeeded"`)) {
				c.Succeeded += v
			}
		case dst == &c.Depth:
			c.Depth = v
		default:
			*dst += v
		}
	}
	return c, sc.Err()
}

// cpuSnap is the CPU time of every process, and of the whole machine, at
// one instant.
type cpuSnap struct {
	at                     time.Time
	engine, okta, snow, lg procStat
	machine                time.Duration // busy time of all CPUs (/proc/stat)
}

func (b *bench) snapCPU() cpuSnap {
	s := cpuSnap{at: time.Now(), machine: machineBusy()}
	for _, e := range b.engines { // the replicas' CPU summed, the largest peak RSS
		p, _ := readProc(strconv.Itoa(e.proc.pid()))
		s.engine.CPU += p.CPU
		s.engine.HWM = max(s.engine.HWM, p.HWM)
		s.engine.RSS = max(s.engine.RSS, p.RSS)
	}
	s.okta, _ = readProc(strconv.Itoa(b.okta.pid()))
	s.snow, _ = readProc(strconv.Itoa(b.snow.pid()))
	s.lg, _ = readProc("self")
	return s
}

// sample is one second of the run as /metrics saw it.
type sample struct {
	T         float64 `json:"t"`
	Completed float64 `json:"completed"`
	Depth     float64 `json:"inbox_depth"`
}

// sampler polls /metrics once a second during the run.
type sampler struct {
	mu      sync.Mutex
	samples []sample
}

func (s *sampler) run(ctx context.Context, b *bench, start time.Time) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		c, err := b.metrics(ctx)
		if err != nil {
			continue
		}
		s.mu.Lock()
		s.samples = append(s.samples, sample{T: time.Since(start).Seconds(), Completed: c.Ended, Depth: c.Depth})
		s.mu.Unlock()
	}
}

func (s *sampler) all() []sample {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]sample(nil), s.samples...)
}

// profile fetches a CPU profile of the engine into path.
func (b *bench) profile(ctx context.Context, path string, d time.Duration) error {
	return fetchProfile(ctx, fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", b.adminURL, int(d.Seconds())), path, d)
}

// machineBusy is the time all CPUs spent on anything but idle and iowait,
// from the first line of /proc/stat; other processes' share of the machine
// during a run is this minus the harness's processes.
func machineBusy() time.Duration {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(data), "\n")
	f := strings.Fields(line)
	if len(f) < 8 || f[0] != "cpu" {
		return 0
	}
	var busy int64
	for i, v := range f[1:] {
		n, _ := strconv.ParseInt(v, 10, 64)
		if i != 3 && i != 4 && i < 8 { // idle, iowait; guest time is already in user
			busy += n
		}
	}
	return time.Duration(busy) * time.Second / clockTick
}
