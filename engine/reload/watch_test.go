package reload

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const debounce = 150 * time.Millisecond

// harness runs a Watcher over root and counts Reload calls.
type harness struct {
	t      *testing.T
	mu     sync.Mutex
	n      int
	cancel context.CancelFunc
	done   chan error
}

func watch(t *testing.T, paths ...string) *harness {
	t.Helper()
	h := &harness{t: t, done: make(chan error, 1)}
	ready := make(chan struct{})
	w := &Watcher{Paths: paths, Debounce: debounce, Reload: func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.n++
	}, ready: func() { close(ready) }}
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	go func() { h.done <- w.Run(ctx) }()
	t.Cleanup(h.stop)
	select {
	case <-ready:
	case err := <-h.done:
		t.Fatalf("Run returned at once: %v", err)
	}
	return h
}

func (h *harness) stop() {
	if h.cancel == nil {
		return
	}
	h.cancel()
	h.cancel = nil
	if err := <-h.done; err != nil {
		h.t.Errorf("Run: %v", err)
	}
}

func (h *harness) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.n
}

// expect waits until there were want reloads in all, then checks that the
// burst caused no more once the debounce has long passed.
func (h *harness) expect(want int) {
	h.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for h.count() < want {
		if time.Now().After(deadline) {
			h.t.Fatalf("timed out: %d reloads, want %d", h.count(), want)
		}
		time.Sleep(5 * time.Millisecond)
	}
	// Absence can only be observed by waiting: several debounce periods.
	time.Sleep(3 * debounce)
	if got := h.count(); got != want {
		h.t.Fatalf("%d reloads, want %d", got, want)
	}
}

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestWatch(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, root string)
		burst func(t *testing.T, root string)
	}{
		{"write", nil, func(t *testing.T, root string) {
			write(t, filepath.Join(root, "a.hcl"), "changed")
		}},
		{"several writes in a burst", nil, func(t *testing.T, root string) {
			for i := range 5 {
				write(t, filepath.Join(root, "a.hcl"), string(rune('a'+i)))
			}
		}},
		{"editor rename-over save", nil, func(t *testing.T, root string) {
			tmp := filepath.Join(root, ".a.hcl.swp")
			write(t, tmp, "saved")
			must(t, os.Rename(tmp, filepath.Join(root, "a.hcl")))
		}},
		{"new file", nil, func(t *testing.T, root string) {
			write(t, filepath.Join(root, "b.hcl"), "new")
		}},
		{"deleted file", nil, func(t *testing.T, root string) {
			must(t, os.Remove(filepath.Join(root, "a.hcl")))
		}},
		{"new subdirectory with a file", nil, func(t *testing.T, root string) {
			must(t, os.Mkdir(filepath.Join(root, "team"), 0o755))
			write(t, filepath.Join(root, "team", "c.hcl"), "new")
		}},
		{"write in an existing subdirectory", func(t *testing.T, root string) {
			must(t, os.MkdirAll(filepath.Join(root, "x", "y"), 0o755))
			write(t, filepath.Join(root, "x", "y", "d.hcl"), "old")
		}, func(t *testing.T, root string) {
			write(t, filepath.Join(root, "x", "y", "d.hcl"), "new")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			write(t, filepath.Join(root, "a.hcl"), "original")
			if tt.setup != nil {
				tt.setup(t, root)
			}
			h := watch(t, root)
			tt.burst(t, root)
			h.expect(1)
		})
	}
}

// TestWatchNewSubdirectoryIsWatched checks that a directory created while
// watching is itself watched afterwards.
func TestWatchNewSubdirectoryIsWatched(t *testing.T) {
	root := t.TempDir()
	h := watch(t, root)
	must(t, os.Mkdir(filepath.Join(root, "team"), 0o755))
	h.expect(1)
	write(t, filepath.Join(root, "team", "c.hcl"), "new")
	h.expect(2)
	must(t, os.MkdirAll(filepath.Join(root, "team", "deep", "er"), 0o755))
	h.expect(3)
	write(t, filepath.Join(root, "team", "deep", "er", "e.hcl"), "x")
	h.expect(4)
}

// configMap lays out dir the way the kubelet mounts a ConfigMap: the files
// are symlinks through ..data, which points at a timestamped directory.
func configMap(t *testing.T, dir, version, text string) {
	t.Helper()
	ts := filepath.Join(dir, "..2026_"+version)
	must(t, os.Mkdir(ts, 0o755))
	write(t, filepath.Join(ts, "flows.hcl"), text)
	tmp := filepath.Join(dir, "..data_tmp")
	must(t, os.Symlink("..2026_"+version, tmp))
	// The atomic swap: rename the new link over ..data.
	must(t, os.Rename(tmp, filepath.Join(dir, "..data")))
	if _, err := os.Lstat(filepath.Join(dir, "flows.hcl")); os.IsNotExist(err) {
		must(t, os.Symlink(filepath.Join("..data", "flows.hcl"), filepath.Join(dir, "flows.hcl")))
	}
}

func TestWatchConfigMapSwap(t *testing.T) {
	dir := t.TempDir()
	configMap(t, dir, "a", "v1")
	h := watch(t, dir)

	configMap(t, dir, "b", "v2")
	must(t, os.RemoveAll(filepath.Join(dir, "..2026_a")))
	h.expect(1)

	configMap(t, dir, "c", "v3")
	must(t, os.RemoveAll(filepath.Join(dir, "..2026_b")))
	h.expect(2)

	// A change inside the directory ..data now points at is seen too: the
	// watch follows the swap.
	write(t, filepath.Join(dir, "..2026_c", "flows.hcl"), "v3 edited")
	h.expect(3)
}

// TestWatchSymlinkedDirectory covers a flow directory that is a symlink to
// a directory elsewhere, and a subdirectory link that is re-pointed.
func TestWatchSymlinkedDirectory(t *testing.T) {
	outside := t.TempDir()
	elsewhere := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(outside, "nested"), 0o755))
	write(t, filepath.Join(outside, "nested", "a.hcl"), "a")
	write(t, filepath.Join(elsewhere, "b.hcl"), "b")

	base := t.TempDir()
	root := filepath.Join(base, "flows")
	must(t, os.Symlink(outside, root)) // the watched path itself is a link
	must(t, os.Symlink(elsewhere, filepath.Join(outside, "shared")))
	h := watch(t, root)

	write(t, filepath.Join(outside, "nested", "a.hcl"), "a2") // under the link's target
	h.expect(1)
	write(t, filepath.Join(elsewhere, "b.hcl"), "b2") // through a symlinked subdirectory
	h.expect(2)

	// Re-point the subdirectory link: the swap reloads and the new target
	// is watched.
	other := t.TempDir()
	write(t, filepath.Join(other, "c.hcl"), "c")
	tmp := filepath.Join(outside, "shared.tmp")
	must(t, os.Symlink(other, tmp))
	must(t, os.Rename(tmp, filepath.Join(outside, "shared")))
	h.expect(3)
	write(t, filepath.Join(other, "c.hcl"), "c2")
	h.expect(4)
}

func TestWatchFilePath(t *testing.T) {
	root := t.TempDir()
	file := filepath.Join(root, "a.hcl")
	write(t, file, "x")
	h := watch(t, file)
	tmp := filepath.Join(root, "a.hcl.tmp")
	write(t, tmp, "y")
	must(t, os.Rename(tmp, file))
	h.expect(1)
}

func TestWatchMissingPath(t *testing.T) {
	w := &Watcher{Paths: []string{filepath.Join(t.TempDir(), "nope")}, Reload: func() {}}
	if err := w.Run(context.Background()); err == nil {
		t.Error("Run of a missing path: no error")
	}
}

func TestWatchStopsWithContext(t *testing.T) {
	root := t.TempDir()
	h := watch(t, root)
	write(t, filepath.Join(root, "a.hcl"), "x")
	h.stop() // before the debounce fires: no reload after Run returned
	n := h.count()
	time.Sleep(3 * debounce)
	if h.count() != n {
		t.Error("Reload was called after Run returned")
	}
}

// TestWatchRecreatedSubdirectory checks that a directory deleted and made
// again under the same name is watched again.
func TestWatchRecreatedSubdirectory(t *testing.T) {
	root := t.TempDir()
	sub := filepath.Join(root, "team")
	must(t, os.Mkdir(sub, 0o755))
	write(t, filepath.Join(sub, "a.hcl"), "a")
	h := watch(t, root)
	must(t, os.RemoveAll(sub))
	h.expect(1)
	must(t, os.Mkdir(sub, 0o755))
	h.expect(2)
	write(t, filepath.Join(sub, "b.hcl"), "b")
	h.expect(3)
}
