package console

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/cardflow/cardflow/engine/store"
)

// live streams server-sent events to an open page: a "change" event each
// time what the page shows changed in the store. The page then fetches
// itself again. It looks every Poll, so that it follows any replica's
// work on a shared store, and a console without an engine too.
//
// ?execution=ID follows one execution; ?list=QUERY follows the executions
// list under that filter.
func (c *Console) live(w http.ResponseWriter, r *request) {
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming is not supported here", http.StatusInternalServerError)
		return
	}
	look, err := c.looker(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	// A stream outlives the admin server's write timeout.
	_ = http.NewResponseController(w).SetWriteDeadline(time.Time{})
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	w.WriteHeader(http.StatusOK)
	ctx := r.Context()
	// The page says which version it shows: a change between its render
	// and this stream is not missed.
	last := r.URL.Query().Get("v")
	if last == "" {
		last, _ = look(ctx)
	}
	fmt.Fprintf(w, "retry: 2000\nevent: hello\ndata: %s\n\n", last)
	fl.Flush()
	t := time.NewTicker(c.opts.Poll)
	defer t.Stop()
	keepalive := 0
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if !c.stillValid(r) {
			return // the token was revoked: the page's next fetch asks to log in
		}
		now, err := look(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			c.opts.Logger.Warn("console live read failed", "err", err)
			continue
		}
		if now != last {
			last = now
			fmt.Fprintf(w, "event: change\ndata: %s\n\n", now)
			fl.Flush()
			continue
		}
		if keepalive++; keepalive*int(c.opts.Poll/time.Millisecond) >= 15000 {
			keepalive = 0
			fmt.Fprint(w, ": keepalive\n\n") // proxies close silent streams
			fl.Flush()
		}
	}
}

// looker returns what to compare between two looks.
func (c *Console) looker(r *request) (func(context.Context) (string, error), error) {
	q := r.URL.Query()
	if id := q.Get("execution"); id != "" {
		return func(ctx context.Context) (string, error) {
			ex, journal, err := c.opts.Source.Execution(ctx, id)
			if err != nil {
				return "", err
			}
			return executionVersion(ex, journal), nil
		}, nil
	}
	list, err := url.ParseQuery(q.Get("list"))
	if err != nil {
		return nil, fmt.Errorf("list is a query string: %w", err)
	}
	lr, _ := http.NewRequest(http.MethodGet, "/?"+list.Encode(), nil)
	_, f, err := parseListQuery(lr)
	if err != nil {
		return nil, err
	}
	f.Limit = pageSize
	return func(ctx context.Context) (string, error) {
		exs, err := c.opts.Source.Executions(ctx, f)
		if err != nil {
			return "", err
		}
		return listVersion(exs), nil
	}, nil
}

// executionVersion names what an execution page shows: it changes when a
// card ends or the status does.
func executionVersion(ex *store.Execution, journal []store.JournalEntry) string {
	return string(ex.Status) + "." + strconv.Itoa(len(journal))
}

// listVersion names what the first page of a list shows.
func listVersion(exs []*store.Execution) string {
	h := sha256.New()
	for _, e := range exs[:min(len(exs), pageSize)] {
		fmt.Fprintf(h, "%s %s\n", e.ID, e.Status)
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}
