// Package reload watches flow directories and asks for a reload when
// something in them changes. It watches directories, not files, so that
// editors' rename-over saves, new and deleted files and Kubernetes ConfigMap
// symlink swaps are all seen; bursts of events are debounced into one
// reload.
package reload
