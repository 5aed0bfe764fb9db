package emulator

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/cardflow/cardflow/connectors/servicenow/query"
)

const defaultLimit = 10000

// serveList is GET /api/now/table/{t}: filter with sysparm_query (or simple
// name=value parameters), order, page with sysparm_offset/sysparm_limit,
// and report X-Total-Count and Link.
func (e *Emulator) serveList(w http.ResponseWriter, r *http.Request, rt route, hideRows int) {
	e.mu.Lock()
	body, err := e.listLocked(w.Header(), r, rt, hideRows)
	e.mu.Unlock()
	writeReply(w, r, http.StatusOK, body, err)
}

func (e *Emulator) listLocked(h http.Header, r *http.Request, rt route, hideRows int) ([]byte, error) {
	params := r.URL.Query()
	t, err := e.tableLocked(rt.table, false)
	if err != nil {
		return nil, err
	}
	q, err := e.listQueryLocked(t, params)
	if err != nil {
		return nil, invalidQuery(err)
	}
	rows, err := e.selectLocked(t, q)
	if err != nil {
		return nil, invalidQuery(err)
	}
	total := len(rows)
	offset := max(atoiDefault(params.Get("sysparm_offset"), 0), 0)
	limit := atoiDefault(params.Get("sysparm_limit"), defaultLimit)
	if limit <= 0 {
		limit = defaultLimit
	}
	page := rows[min(offset, total):min(offset+limit, total)]
	if hideRows > 0 {
		page = page[:max(len(page)-hideRows, 0)]
	}
	base := e.baseURL(r)
	if !strings.EqualFold(params.Get("sysparm_no_count"), "true") {
		h["X-Total-Count"] = []string{strconv.Itoa(total)} // canonical keys: Set's work done
	}
	if !strings.EqualFold(params.Get("sysparm_suppress_pagination_header"), "true") {
		h["Link"] = []string{linkHeader(base+r.URL.Path, r.URL.RawQuery, offset, limit, total)}
	}
	if rt.version == "v1" && total == 0 {
		return nil, &apiError{http.StatusNotFound, "No Record found", "Records matching query not found. Check query parameter or offset parameter"}
	}
	return e.listBodyJSON(t, page, viewFrom(params, base)), nil
}

// invalidQuery is the emulator's answer to a query it cannot parse or
// evaluate. The platform would ignore the bad part; a 400 makes the mistake
// visible in tests instead of silently widening the result.
func invalidQuery(err error) error {
	return &apiError{http.StatusBadRequest, "Invalid query", err.Error()}
}

// listQueryLocked is sysparm_query, or else the simple name=value filter
// parameters, which accept choice labels (state=closed).
func (e *Emulator) listQueryLocked(t *table, params url.Values) (*query.Query, error) {
	if s := params.Get("sysparm_query"); s != "" {
		return query.Parse(s)
	}
	q := &query.Query{}
	var g query.Group
	for name, vals := range params {
		if strings.HasPrefix(name, "sysparm_") || !t.schema.has(name) || len(vals) == 0 {
			continue
		}
		g.Terms = append(g.Terms, query.Term{Conds: []query.Cond{{Field: name, Op: query.OpEq, Value: choiceValue(t, name, vals[0])}}})
	}
	if len(g.Terms) > 0 {
		q.Groups = []query.Group{g}
	}
	return q, nil
}

// choiceValue maps a choice label given as a value ("closed") to the value.
func choiceValue(t *table, field, v string) string {
	for val, label := range t.schema.choices[field] {
		if strings.EqualFold(label, v) {
			return val
		}
	}
	return v
}

func atoiDefault(s string, def int) int {
	if s == "" {
		return def // the usual case, without Atoi's error
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return def
	}
	return n
}

// linkHeader builds the platform's Link header: first, prev, next and last
// pages, each the request URL with its sysparm_offset and sysparm_limit
// replaced, joined by commas without spaces. It is written into one
// buffer: every list answer carries it.
func linkHeader(u, rawQuery string, offset, limit, total int) string {
	var keep []string
	for p := range strings.SplitSeq(rawQuery, "&") {
		name, _, _ := strings.Cut(p, "=")
		if p == "" || name == "sysparm_offset" || name == "sysparm_limit" {
			continue
		}
		keep = append(keep, p)
	}
	pages := 2
	if offset > 0 {
		pages++
	}
	if offset+limit < total {
		pages++
	}
	var b strings.Builder
	b.Grow(pages * (len(u) + len(rawQuery) + 80))
	var num []byte
	page := func(off int, rel string) {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('<')
		b.WriteString(u)
		b.WriteByte('?')
		for _, p := range keep {
			b.WriteString(p)
			b.WriteByte('&')
		}
		b.WriteString("sysparm_offset=")
		num = strconv.AppendInt(num[:0], int64(off), 10)
		b.Write(num)
		b.WriteString("&sysparm_limit=")
		num = strconv.AppendInt(num[:0], int64(limit), 10)
		b.Write(num)
		b.WriteString(`>;rel="`)
		b.WriteString(rel)
		b.WriteByte('"')
	}
	page(0, "first")
	if offset > 0 {
		page(max(offset-limit, 0), "prev")
	}
	if offset+limit < total {
		page(offset+limit, "next")
	}
	last := 0
	if total > 0 {
		last = (total - 1) / limit * limit
	}
	page(last, "last")
	return b.String()
}
