package reload

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Watcher calls Reload after files under Paths change.
type Watcher struct {
	Paths    []string
	Debounce time.Duration
	Reload   func()
	Logger   *slog.Logger

	// ready, when set, is called once the first watches are in place
	// (tests wait for it before changing files).
	ready func()
}

// Run watches until ctx is done. Reload is called from Run's goroutine,
// never after Run returned.
func (w *Watcher) Run(ctx context.Context) error {
	for _, p := range w.Paths {
		if _, err := os.Stat(p); err != nil {
			return fmt.Errorf("watching flows: %w", err)
		}
	}
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return err
	}
	defer fw.Close()
	log := w.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	debounce := w.Debounce
	if debounce <= 0 {
		debounce = 300 * time.Millisecond
	}
	w.sync(fw, log)
	if w.ready != nil {
		w.ready()
	}
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-fw.Events:
			if !ok {
				return nil
			}
			// The shape of the tree may have changed: new or removed
			// directories, a symlink re-pointed (a ConfigMap swap). Watch
			// what is there now before the debounce ends, so that changes
			// inside a new directory are not missed.
			if ev.Has(fsnotify.Create) || ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename) {
				w.sync(fw, log)
			}
			timer.Reset(debounce)
		case err, ok := <-fw.Errors:
			if !ok {
				return nil
			}
			log.Warn("watching flow files", "err", err)
		case <-timer.C:
			w.Reload()
		}
	}
}

// sync makes the watched directories exactly the real directories under
// Paths now. Watches are on resolved paths: when a symlink is re-pointed the
// new target is a different directory and gets its own watch, and the old
// one is dropped.
func (w *Watcher) sync(fw *fsnotify.Watcher, log *slog.Logger) {
	want := map[string]bool{}
	for _, p := range w.Paths {
		info, err := os.Stat(p)
		if err != nil {
			log.Warn("watching flow files", "path", p, "err", err)
			continue
		}
		if !info.IsDir() {
			// A file path: watch its directory, where saves rename files.
			walk(filepath.Dir(p), want, false)
			continue
		}
		walk(p, want, true)
	}
	for _, d := range fw.WatchList() {
		if !want[d] {
			_ = fw.Remove(d) // it may be gone already
		}
	}
	have := map[string]bool{}
	for _, d := range fw.WatchList() {
		have[d] = true
	}
	for d := range want {
		if have[d] {
			continue
		}
		if err := fw.Add(d); err != nil && !os.IsNotExist(err) {
			log.Warn("watching flow files", "dir", d, "err", err)
		}
	}
}

// walk adds the real path of dir to out and, when deep, the real paths of
// its subdirectories, following symlinks to directories (ConfigMaps mount
// files through ..data links). Cycles end at directories already seen.
func walk(dir string, out map[string]bool, deep bool) {
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return
	}
	if real, err = filepath.Abs(real); err != nil || out[real] {
		return
	}
	out[real] = true
	if !deep {
		return
	}
	entries, err := os.ReadDir(real)
	if err != nil {
		return
	}
	for _, e := range entries {
		if e.Name() == ".git" {
			continue
		}
		path := filepath.Join(real, e.Name())
		isDir := e.IsDir()
		if e.Type()&fs.ModeSymlink != 0 {
			st, err := os.Stat(path)
			isDir = err == nil && st.IsDir()
		}
		if isDir {
			walk(path, out, true)
		}
	}
}
