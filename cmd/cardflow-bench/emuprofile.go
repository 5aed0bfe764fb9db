package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sync"
	"time"
)

// profileEmulators writes CPU profiles of the Okta and ServiceNow emulators
// (served by emulate --pprof) and of the harness itself, the load
// generator, over the same d, into dir. The emulators and the load
// generator share the machine with the engine: what they spend per
// execution is taken from it. It returns the files written.
func (b *bench) profileEmulators(ctx context.Context, dir string, d time.Duration) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	targets := []struct{ name, url string }{
		{"okta", b.oktaURL + "/_emulator/debug/pprof/profile"},
		{"servicenow", b.snowURL + "/_emulator/debug/pprof/profile"},
	}
	paths := make([]string, len(targets)+1)
	errs := make([]error, len(targets)+1)
	var wg sync.WaitGroup
	for i, t := range targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			paths[i] = filepath.Join(dir, t.name+".pprof")
			errs[i] = fetchProfile(ctx, fmt.Sprintf("%s?seconds=%d", t.url, int(d.Seconds())), paths[i], d)
		}()
	}
	paths[len(targets)] = filepath.Join(dir, "loadgen.pprof")
	errs[len(targets)] = profileSelf(ctx, paths[len(targets)], d)
	wg.Wait()
	var done []string
	for i, p := range paths {
		if errs[i] == nil {
			done = append(done, p)
			b.logf("wrote a CPU profile to %s (go tool pprof -top %s)", p, p)
		}
	}
	return done, errors.Join(errs...)
}

// fetchProfile GETs a CPU profile of d (the engine's or an emulator's) into path.
func fetchProfile(ctx context.Context, url, path string, d time.Duration) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	hc := &http.Client{Timeout: d + 30*time.Second}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: HTTP %d (was the process started with --pprof?)", url, resp.StatusCode)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// profileSelf profiles this process for d (or until ctx ends) into path.
func profileSelf(ctx context.Context, path string, d time.Duration) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return err
	}
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
	pprof.StopCPUProfile()
	return f.Close()
}
