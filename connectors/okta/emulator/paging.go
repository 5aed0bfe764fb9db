package emulator

import (
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Cursors are opaque to clients, as Okta asks ("don't craft it"): base64 of
// a kind tag and an insertion sequence number.

func encodeCursor(kind string, seq int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(kind + ":" + strconv.FormatInt(seq, 10)))
}

func decodeCursor(kind, s string) (int64, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return 0, err
	}
	tag, num, ok := strings.Cut(string(raw), ":")
	if !ok || tag != kind {
		return 0, errors.New("cursor of another kind")
	}
	return strconv.ParseInt(num, 10, 64)
}

// afterParam reads the after cursor; an absent cursor is 0.
func afterParam(q url.Values, kind string) (int64, *apiError) {
	s := q.Get("after")
	if s == "" {
		return 0, nil
	}
	n, err := decodeCursor(kind, s)
	if err != nil {
		return 0, validation("after", "The after cursor is not valid: "+s)
	}
	return n, nil
}

// limitParam reads limit with Okta's default and clamps it to maxLimit.
func limitParam(q url.Values, def, maxLimit int) (int, *apiError) {
	s := q.Get("limit")
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, validation("limit", "The limit must be a non-negative integer")
	}
	if n == 0 || n > maxLimit {
		n = maxLimit
	}
	return n, nil
}

// paging is how one list endpoint pages: the kind tag of its cursors, and
// Okta's default and largest limit for it.
type paging struct {
	kind     string
	def, max int
}

// read reads a request's limit and after cursor.
func (p paging) read(q url.Values) (limit int, after int64, ae *apiError) {
	if limit, ae = limitParam(q, p.def, p.max); ae != nil {
		return 0, 0, ae
	}
	if after, ae = afterParam(q, p.kind); ae != nil {
		return 0, 0, ae
	}
	return limit, after, nil
}

// servePaged answers a list request with one page, as every paged list
// endpoint does: it reads limit and after (400 E0000001 for bad ones),
// calls list under e.mu for the items in the order of their sequence
// numbers and the function that exports one (or the error to answer, such
// as a 404 for a missing parent), exports the page's items under the lock,
// and writes the page with its Link headers.
func servePaged[T, O any](e *Emulator, w http.ResponseWriter, r *http.Request, p paging, seq func(T) int64,
	list func(c *callCtx) (items []T, export func(T) O, ae *apiError)) {
	c := e.httpCall(w, r)
	limit, after, ae := p.read(r.URL.Query())
	if ae != nil {
		e.writeError(w, ae)
		return
	}
	e.mu.Lock()
	items, export, ae := list(c)
	var out []O
	var next string
	if ae == nil {
		var page []T
		page, next = pageBySeq(items, seq, p.kind, after, limit)
		out = make([]O, 0, len(page))
		for _, it := range page {
			out = append(out, export(it))
		}
	}
	e.mu.Unlock()
	if ae != nil {
		e.writeError(w, ae)
		return
	}
	writePage(w, c, r, next, out)
}

// pageBySeq returns up to limit items whose sequence is above after. next is
// the cursor for the following page, or "" when this page is the last.
func pageBySeq[T any](items []T, seq func(T) int64, kind string, after int64, limit int) (out []T, next string) {
	out = []T{}
	for _, it := range items {
		if seq(it) <= after {
			continue
		}
		if len(out) == limit {
			return out, encodeCursor(kind, seq(out[len(out)-1]))
		}
		out = append(out, it)
	}
	return out, ""
}

// writePage answers 200 with a page of a list and its Link headers: next is
// the cursor of the following page, or "" on the last.
func writePage(w http.ResponseWriter, c *callCtx, r *http.Request, next string, page any) {
	setLinks(w, c, r, next)
	writeJSON(w, http.StatusOK, page)
}

// setLinks writes rel="self" and, if next is set, rel="next" as separate Link
// header lines: the SDK reads one link per line.
func setLinks(w http.ResponseWriter, c *callCtx, r *http.Request, next string) {
	self := c.base + r.URL.RequestURI()
	w.Header().Add("Link", "<"+self+`>; rel="self"`)
	if next == "" {
		return
	}
	q := r.URL.Query()
	q.Set("after", next)
	w.Header().Add("Link", "<"+c.base+r.URL.Path+"?"+q.Encode()+`>; rel="next"`)
}
