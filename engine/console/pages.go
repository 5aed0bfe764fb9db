package console

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cardflow/cardflow/engine/server"
	"github.com/cardflow/cardflow/engine/store"
	"github.com/cardflow/cardflow/engine/trigger"
)

// pageSize is how many executions a list page shows.
const pageSize = 50

func (c *Console) flowsPage(w http.ResponseWriter, r *request) {
	flows, reload := c.opts.Source.Flows()
	c.page(w, r, "flows", "Flows", map[string]any{"Flows": flows, "Reload": reload})
}

func (c *Console) flowPage(w http.ResponseWriter, r *request) {
	flows, reload := c.opts.Source.Flows()
	i := slices.IndexFunc(flows, func(f Flow) bool { return f.Name == r.PathValue("name") })
	if i < 0 {
		c.notFound(w, r, "There is no flow "+strconv.Quote(r.PathValue("name"))+" in the loaded generation.")
		return
	}
	// The drawing needs no store: a store that cannot be read costs the
	// page its recent executions only.
	recent, err := c.opts.Source.Executions(r.Context(), store.Filter{Flow: flows[i].Name, Limit: 10})
	if err != nil {
		c.opts.Logger.Error("console read failed", "path", r.URL.Path, "err", err)
	}
	c.page(w, r, "flow", flows[i].Name, map[string]any{"Flow": flows[i], "Reload": reload, "Recent": recent, "RecentFailed": err != nil})
}

func (c *Console) unknownPage(w http.ResponseWriter, r *request) {
	c.notFound(w, r, "There is no console page "+strconv.Quote(r.URL.Path)+".")
}

// listQuery is the executions list's filter as the form and links carry it.
type listQuery struct {
	Flow, Status, Q, Since, Until, Before string
}

func (q listQuery) values() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"flow": q.Flow, "status": q.Status, "q": q.Q, "since": q.Since, "until": q.Until, "before": q.Before} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v
}

// timeLayout is what the list's datetime-local inputs send.
const timeLayout = "2006-01-02T15:04"

func parseListQuery(r *http.Request) (listQuery, store.Filter, error) {
	v := r.URL.Query()
	q := listQuery{Flow: v.Get("flow"), Status: v.Get("status"), Q: strings.TrimSpace(v.Get("q")),
		Since: v.Get("since"), Until: v.Get("until"), Before: v.Get("before")}
	f := store.Filter{Flow: q.Flow, Status: store.Status(q.Status), Text: q.Q, Before: q.Before, Limit: pageSize + 1}
	if err := server.CheckStatus(q.Status); err != nil {
		return q, f, err
	}
	if q.Before != "" && !strings.HasPrefix(q.Before, "ex_") {
		return q, f, fmt.Errorf("before is an execution id")
	}
	var err error
	if f.Since, err = parseTime(q.Since); err != nil {
		return q, f, err
	}
	until, err := parseTime(q.Until)
	if err != nil {
		return q, f, err
	}
	// Until is a keyset bound: ids sort by enqueue time, so the list walks
	// back from it through the primary key.
	if !until.IsZero() {
		if b := store.IDAt(until); f.Before == "" || b < f.Before {
			f.Before = b
		}
	}
	return q, f, nil
}

// parseTime reads a time of the list's form: what datetime-local inputs
// send (UTC), or RFC 3339.
func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		if t, err = time.Parse(time.RFC3339, s); err != nil {
			return time.Time{}, fmt.Errorf("%q is not a time (YYYY-MM-DDTHH:MM, UTC)", s)
		}
	}
	return t.UTC(), nil
}

func (c *Console) executionsPage(w http.ResponseWriter, r *request) {
	q, f, err := parseListQuery(r.Request)
	if err != nil {
		c.renderError(w, r, http.StatusBadRequest, err.Error())
		return
	}
	list, err := c.opts.Source.Executions(r.Context(), f)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	page := Page{Executions: list}
	if len(list) > pageSize {
		page.Executions = list[:pageSize]
		page.Next = list[pageSize-1].ID
	}
	next := ""
	if page.Next != "" {
		nq := q
		nq.Before = page.Next
		next = "?" + nq.values().Encode()
	}
	first := ""
	if q.Before != "" {
		fq := q
		fq.Before = ""
		first = "?" + fq.values().Encode()
	}
	empty := "No executions match."
	switch {
	case q.Before != "":
		empty = "No older executions."
	case q == listQuery{}:
		empty = "No executions yet: they appear here as events arrive."
	}
	flows, _ := c.opts.Source.Flows()
	c.page(w, r, "executions", "Executions", map[string]any{
		"Empty": empty,
		"Query": q, "Page": page, "NextLink": next, "FirstLink": first, "Flows": flows,
		"LiveQuery": func() string { lq := q; lq.Before = ""; return lq.values().Encode() }(),
		// Only the first page follows the store: older pages stay put.
		"LiveVersion": liveVersionOfList(q, list),
		"Statuses":    store.Statuses,
	})
}

func (c *Console) executionPage(w http.ResponseWriter, r *request) {
	ex, journal, err := c.opts.Source.Execution(r.Context(), r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		c.notFound(w, r, "There is no execution "+strconv.Quote(r.PathValue("id"))+".")
		return
	}
	if err != nil {
		c.fail(w, r, err)
		return
	}
	flows, _ := c.opts.Source.Flows()
	var flow *Flow
	for i := range flows {
		if flows[i].Name == ex.Flow {
			flow = &flows[i]
		}
	}
	c.page(w, r, "execution", ex.ID, map[string]any{
		"Ex": ex, "Timeline": timeline(ex, journal), "Flow": flow,
		"Trigger": prettyJSON(ex.Payload), "Output": prettyJSON(ex.Output),
		"Replayable": ex.Status.Final(), "Message": r.URL.Query().Get("msg"),
		"Cancelable": ex.Status == store.Pending || ex.Status == store.Waiting, "Wakeable": ex.Status == store.Waiting,
		"Cards": cardNames(journal), "Version": executionVersion(ex, journal),
	})
}

func (c *Console) replay(w http.ResponseWriter, r *request) {
	from, force := r.PostFormValue("from"), r.PostFormValue("force") == "yes"
	// Refusals are audited too: the audit log lists every replay asked for.
	c.operate(w, r, replayOp, replayDetail(from, force), func() error {
		return c.opts.Source.Replay(r.Context(), r.PathValue("id"), from, force)
	})
}

// audit records an operator action; a record that cannot be written is
// logged, and the action stands.
func (c *Console) audit(r *request, entry AuditEntry) {
	if err := c.opts.Source.Audit(r.Context(), entry); err != nil {
		c.opts.Logger.Error("audit log write failed", "err", err, "who", entry.Who, "action", entry.Action, "target", entry.Target)
	}
}

func replayDetail(from string, force bool) string {
	d := "from the failed card"
	if from != "" {
		d = "from card " + from
	}
	if force {
		d += ", forced"
	}
	return d
}

// definitionPage shows the files an execution ran on, which may differ
// from the loaded ones.
func (c *Console) definitionPage(w http.ResponseWriter, r *request) {
	hash := r.PathValue("hash")
	files, err := c.opts.Source.Definition(r.Context(), hash)
	if errors.Is(err, store.ErrNotFound) {
		c.notFound(w, r, "There is no stored definition "+strconv.Quote(hash)+".")
		return
	}
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.page(w, r, "definition", "Definition "+hash[:min(len(hash), 12)], map[string]any{"Hash": hash, "Files": files})
}

func (c *Console) tablesPage(w http.ResponseWriter, r *request) {
	c.page(w, r, "tables", "Tables", map[string]any{"Tables": c.opts.Source.Tables()})
}

func (c *Console) tablePage(w http.ResponseWriter, r *request) {
	name := r.PathValue("name")
	tables := c.opts.Source.Tables()
	i := slices.IndexFunc(tables, func(t Table) bool { return t.Name == name })
	if i < 0 {
		c.notFound(w, r, "There is no table "+strconv.Quote(name)+" in the loaded generation.")
		return
	}
	prefix, after := r.URL.Query().Get("q"), r.URL.Query().Get("after")
	rows, err := c.opts.Source.TableRows(r.Context(), name, prefix, after, pageSize+1)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	next := ""
	if len(rows) > pageSize {
		rows = rows[:pageSize]
		next = "?" + url.Values{"q": {prefix}, "after": {rows[pageSize-1].Key}}.Encode()
	}
	views := make([]map[string]any, len(rows))
	for j, row := range rows {
		views[j] = map[string]any{"Key": row.Key, "JSON": prettyJSON(row.JSON), "Cells": cells(tables[i], row.JSON)}
	}
	first := ""
	if after != "" {
		first = "?" + url.Values{"q": {prefix}}.Encode()
	}
	c.page(w, r, "table", name, map[string]any{"Table": tables[i], "Rows": views, "Q": prefix, "NextLink": next, "FirstLink": first})
}

// cells are a row's column values in the table's column order.
func cells(t Table, row []byte) []string {
	var m map[string]json.RawMessage
	_ = json.Unmarshal(row, &m)
	out := make([]string, len(t.Columns))
	for i, col := range t.Columns {
		v := m[col]
		var s string
		if json.Unmarshal(v, &s) == nil {
			out[i] = s
		} else {
			out[i] = string(v)
		}
	}
	return out
}

func (c *Console) healthPage(w http.ResponseWriter, r *request) {
	now := c.opts.Now().UTC()
	counts, err := c.opts.Source.Activity(r.Context(), now.Add(-time.Hour), time.Minute)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	_, reload := c.opts.Source.Flows()
	c.page(w, r, "health", "Health", map[string]any{
		"Health": c.opts.Source.Health(r.Context()), "Reload": reload, "Chart": activityChart(counts, now),
	})
}

// auditPage lists the audit log newest first, a page at a time, as the
// executions list does: Older walks back from the page's last entry.
func (c *Console) auditPage(w http.ResponseWriter, r *request) {
	before := r.URL.Query().Get("before")
	log, err := c.opts.Source.AuditLog(r.Context(), before, pageSize+1)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	next := ""
	if len(log) > pageSize {
		log = log[:pageSize]
		next = "?" + url.Values{"before": {log[pageSize-1].Key}}.Encode()
	}
	empty := "No operator action yet."
	if before != "" {
		empty = "No older entries."
	}
	c.page(w, r, "audit", "Audit log", map[string]any{"Entries": log, "Empty": empty,
		"NextLink": next, "Older": before != ""})
}

// page renders a page inside the layout.
func (c *Console) page(w http.ResponseWriter, r *request, name, title string, data map[string]any) {
	data["Title"] = title
	data["Who"] = r.who
	data["CSRF"] = r.csrf
	data["Open"] = c.opts.Auth == nil
	data["Prefix"] = c.opts.Prefix
	data["Path"] = r.URL.Path
	c.render(w, http.StatusOK, name, data)
}

func (c *Console) render(w http.ResponseWriter, status int, name string, data map[string]any) {
	if data["Prefix"] == nil {
		data["Prefix"] = c.opts.Prefix
	}
	var buf bytes.Buffer
	if err := c.pages[name].ExecuteTemplate(&buf, "layout", data); err != nil {
		c.opts.Logger.Error("console page failed", "page", name, "err", err)
		http.Error(w, "the page could not be rendered", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func (c *Console) renderError(w http.ResponseWriter, r *request, status int, msg string) {
	data := map[string]any{"Status": status, "StatusText": http.StatusText(status), "Message": msg}
	data["Title"] = http.StatusText(status)
	data["Who"] = r.who
	data["Open"] = c.opts.Auth == nil
	data["Prefix"] = c.opts.Prefix
	c.render(w, status, "error", data)
}

func (c *Console) notFound(w http.ResponseWriter, r *request, msg string) {
	c.renderError(w, r, http.StatusNotFound, msg)
}

func (c *Console) fail(w http.ResponseWriter, r *request, err error) {
	c.opts.Logger.Error("console read failed", "path", r.URL.Path, "err", err)
	c.renderError(w, r, http.StatusInternalServerError, "The store could not be read; cardflow's log says why.")
}

// prettyJSON indents JSON for a <pre>; what is not JSON is shown as it is.
func prettyJSON(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	var buf bytes.Buffer
	if json.Indent(&buf, b, "", "  ") != nil {
		return string(b)
	}
	return buf.String()
}

func (c *Console) funcs() template.FuncMap {
	return template.FuncMap{
		"ago": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return humanDuration(c.opts.Now().Sub(t)) + " ago"
		},
		"when":   func(t time.Time) template.HTML { return timeElement(t, "2006-01-02 15:04:05.000 UTC", "") },
		"minute": func(t time.Time) template.HTML { return timeElement(t, "15:04 UTC", "minute") },
		"dur": func(a, b time.Time) string {
			if a.IsZero() || b.IsZero() {
				return ""
			}
			return humanDuration(b.Sub(a))
		},
		"maxParked": func() int { return MaxParkedCount },
		"path":      url.PathEscape,
		"short":     func(s string) string { return s[:min(len(s), 12)] },
		// clip shortens s to about n characters, on a rune boundary.
		"clip": func(s string, n int) string {
			if r := []rune(s); len(r) > n {
				return string(r[:n]) + "…"
			}
			return s
		},
		"join": strings.Join,
		// about is an execution's correlation terms in the case its
		// trigger wrote them (search keeps them in lower case).
		"about": func(e *store.Execution) string {
			return strings.Join(trigger.DisplayTerms(e.Payload, e.Terms), ", ")
		},
		// dict passes several values to a partial template.
		"dict": func(kv ...any) map[string]any {
			m := make(map[string]any, len(kv)/2)
			for i := 0; i+1 < len(kv); i += 2 {
				m[kv[i].(string)] = kv[i+1]
			}
			return m
		},
	}
}

// timeElement renders t as a <time> element whose text is t in UTC, in
// layout: what a page shows without JavaScript. console.js rewrites the
// text in the browser's time zone, naming the zone, and keeps the UTC
// text in its title; format tells it which form (see console.js). The zero
// time is nothing.
func timeElement(t time.Time, layout, format string) template.HTML {
	if t.IsZero() {
		return ""
	}
	t = t.UTC()
	attr := ""
	if format != "" {
		attr = ` data-format="` + format + `"`
	}
	// Both strings are made of digits and the layout's fixed characters.
	return template.HTML(`<time datetime="` + t.Format(time.RFC3339Nano) + `"` + attr + `>` + t.Format(layout) + `</time>`)
}

func humanDuration(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%d µs", d.Microseconds())
	case d < time.Second:
		return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000)
	case d < time.Minute:
		return fmt.Sprintf("%.1f s", d.Seconds())
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%.1f h", d.Hours())
	}
	return fmt.Sprintf("%d days", int(d.Hours()/24))
}

// liveVersionOfList is the version of the first page, or "" for a later
// page, which does not follow the store.
func liveVersionOfList(q listQuery, list []*store.Execution) string {
	if q.Before != "" {
		return ""
	}
	return listVersion(list)
}
