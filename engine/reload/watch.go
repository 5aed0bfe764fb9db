// Package reload watches flow directories and asks for a reload when
// something in them changes. It watches directories, not files, so that
// editors' rename-over saves, new and deleted files and Kubernetes ConfigMap
// symlink swaps are all seen; bursts of events are debounced into one
// reload.
package reload

import (
	"context"
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
}

// Run watches until ctx is done.
func (w *Watcher) Run(ctx context.Context) error {
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
	for _, p := range w.Paths {
		if err := addTree(fw, p); err != nil {
			return err
		}
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
			if ev.Has(fsnotify.Create) {
				if info, err := os.Stat(ev.Name); err == nil && info.IsDir() {
					_ = addTree(fw, ev.Name)
				}
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

// addTree watches dir and its subdirectories (a file path watches its
// directory). Symlinked directories are followed, as ConfigMaps need.
func addTree(fw *fsnotify.Watcher, root string) error {
	info, err := os.Stat(root)
	if err != nil {
		return err
	}
	if !info.IsDir() {
		return fw.Add(filepath.Dir(root))
	}
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		isDir := d.IsDir()
		if d.Type()&fs.ModeSymlink != 0 {
			if st, err := os.Stat(path); err == nil && st.IsDir() {
				isDir = true
			}
		}
		if isDir {
			return fw.Add(path)
		}
		return nil
	})
}
