package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// browserPath finds a Chromium to drive: CARDFLOW_CHROMIUM, else Debian's
// chromium or chromium-headless-shell. With CARDFLOW_REQUIRE_BROWSER set
// (CI), a missing browser fails the test instead of skipping it.
func browserPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CARDFLOW_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-headless-shell", "/usr/lib/chromium/chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CARDFLOW_REQUIRE_BROWSER") != "" {
		t.Fatal("no Chromium found (install Debian's chromium package or set CARDFLOW_CHROMIUM)")
	}
	t.Skip("browser test: no Chromium found; install Debian's chromium package or set CARDFLOW_CHROMIUM")
	return ""
}

// browser is a headless Chromium tab that records the console errors and
// uncaught exceptions of the pages it shows.
type browser struct {
	t    *testing.T
	ctx  context.Context
	mu   sync.Mutex
	errs []string
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	path := browserPath(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	b := &browser{t: t, ctx: ctx}
	// done closes when the console reader ends, or at once if it never
	// started. Stopping the browser is bounded, as every wait here is: a
	// browser that hangs fails the test instead of the package's timeout.
	done := make(chan struct{})
	reading := false
	t.Cleanup(func() {
		if !reading {
			close(done)
		}
		stopped := make(chan struct{})
		go func() { cancelCtx(); cancelAlloc(); <-done; close(stopped) }()
		select {
		case <-stopped:
		case <-time.After(waitFor):
			t.Errorf("%s did not stop within %s", path, waitFor)
		}
	})
	// The first Run starts the browser, and ties it to its context: it
	// runs on ctx itself, its wait bounded beside it.
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(ctx, chromedp.Navigate("about:blank")) }()
	select {
	case err := <-started:
		if err != nil {
			t.Fatalf("starting %s: %v", path, err)
		}
	case <-time.After(waitFor):
		t.Fatalf("starting %s: no page within %s", path, waitFor)
	}
	msgs := chromedp.Console(ctx)
	reading = true
	go func() {
		defer close(done)
		for m, err := range msgs {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException {
				b.record(fmt.Sprintf("%s: %s (%s)", m.Type, m.Text, m.URL))
			}
		}
	}()
	return b
}

func (b *browser) record(s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.errs = append(b.errs, s)
}

// do runs steps, failing the test with what it was doing. Each is bounded.
func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, waitFor)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// text returns the text of the first visible node matching a CSS selector.
func (b *browser) text(sel string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, waitFor)
	defer cancel()
	for {
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible))
		// A page that updates in place may replace the node between the
		// query that found it and the read: read the new one.
		if err != nil && strings.Contains(err.Error(), "No node with given id") && ctx.Err() == nil {
			continue
		}
		if err != nil {
			b.t.Fatalf("reading %s: %v", sel, err)
		}
		return s
	}
}

// eval evaluates a JavaScript expression to a bool.
func (b *browser) eval(expr string) bool {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, waitFor)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
	if err != nil {
		b.t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

// waitLoaded waits until the tab shows a loaded page whose URL contains
// part: after a form submits, the page before may still match selectors.
func (b *browser) waitLoaded(part string) {
	b.t.Helper()
	deadline := time.Now().Add(waitFor)
	for !b.eval(`document.readyState === "complete" && location.href.includes(` + strconv.Quote(part) + `)`) {
		if time.Now().After(deadline) {
			b.t.Fatalf("no page with %q in its address loaded", part)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// count returns how many nodes match a CSS selector.
func (b *browser) count(sel string) int {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, waitFor)
	defer cancel()
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int]("document.querySelectorAll("+strconv.Quote(sel)+").length"))
	if err != nil {
		b.t.Fatalf("counting %s: %v", sel, err)
	}
	return n
}

// screenshot saves the page as name.png under CARDFLOW_SCREENSHOTS, if set.
func (b *browser) screenshot(name string) {
	b.t.Helper()
	dir := os.Getenv("CARDFLOW_SCREENSHOTS")
	if dir == "" {
		return
	}
	ctx, cancel := context.WithTimeout(b.ctx, waitFor)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// expectErrors takes the errors logged so far, which the test caused on
// purpose, and fails unless each contains want.
func (b *browser) expectErrors(want string) {
	b.t.Helper()
	time.Sleep(200 * time.Millisecond)
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.errs) == 0 {
		b.t.Errorf("no error logged, want one with %q", want)
	}
	for _, e := range b.errs {
		if !strings.Contains(e, want) {
			b.t.Errorf("the console's pages logged %s", e)
		}
	}
	b.errs = nil
}

// noErrors fails the test if a page logged an error.
func (b *browser) noErrors() {
	b.t.Helper()
	time.Sleep(200 * time.Millisecond) // messages of the last page arrive
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, e := range b.errs {
		b.t.Errorf("the console's pages logged %s", e)
	}
}
