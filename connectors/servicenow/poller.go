package servicenow

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/connectors/servicenow/query"
	"github.com/cardflow/cardflow/engine/connector"
)

// pollKind selects what a record trigger reports.
type pollKind uint8

const (
	created pollKind = iota // record_created: polls sys_created_on
	updated                 // record_updated: polls sys_updated_on
)

// stampField is the timestamp the trigger's window runs over.
func (k pollKind) stampField() string {
	if k == created {
		return "sys_created_on"
	}
	return "sys_updated_on"
}

// byField is who wrote the version the trigger reports.
func (k pollKind) byField() string {
	if k == created {
		return "sys_created_by"
	}
	return "sys_updated_by"
}

func (k pollKind) op() string {
	if k == created {
		return "servicenow.record_created"
	}
	return "servicenow.record_updated"
}

// bookkeeping fields every poll fetches, whatever the config's fields say.
var bookkeeping = []string{"sys_id", "number", "sys_mod_count", "sys_created_on", "sys_created_by", "sys_updated_on", "sys_updated_by"}

// cursor is a record trigger's persisted position (reference §6.3).
type cursor struct {
	// TS is the newest timestamp (stampField) read so far, and after a
	// complete tick at least that tick's upper bound. The next tick reads
	// from TS minus the overlap.
	TS string `json:"ts"`
	// Floor is where the first start began; nothing older is delivered.
	// It is dropped once the window no longer reaches it.
	Floor string `json:"floor,omitempty"`
	// Seen holds the versions read within the overlap window, by
	// timestamp: {timestamp: {sys_id: sys_mod_count}}. A version re-read
	// carries the same timestamp, so one bucket answers "seen before?", and
	// whole buckets are pruned once the window has passed them.
	Seen map[string]map[string]int64 `json:"seen"`
}

// pollConfig is a decoded trigger block.
type pollConfig struct {
	table     string
	domain    *query.Query
	fields    []string
	ignoreOwn bool
	backfill  time.Duration
	lag       time.Duration
	overlap   time.Duration
	pageSize  int
}

func decodePollConfig(cfg cty.Value, op string) (*pollConfig, error) {
	pc := &pollConfig{
		table:     connector.String(cfg, "table"),
		ignoreOwn: connector.Bool(cfg, "ignore_own_updates", true),
		pageSize:  intAttr(cfg, "page_size", defaultPageSize, maxPageSize),
	}
	var err error
	durations := []struct {
		name, def string
		dst       *time.Duration
	}{{"backfill", "0s", &pc.backfill}, {"safety_lag", defaultSafetyLag, &pc.lag}, {"overlap", defaultOverlap, &pc.overlap}}
	for _, d := range durations {
		v := connector.Attr(cfg, d.name)
		if !known(v) {
			v = cty.StringVal(d.def)
		}
		if *d.dst, err = parseDuration(v, d.name); err != nil {
			return nil, &connector.Error{Kind: connector.Invalid, Op: op, Message: err.Error()}
		}
	}
	if q := connector.String(cfg, "query"); q != "" {
		if pc.domain, err = query.Parse(q); err != nil {
			return nil, &connector.Error{Kind: connector.Invalid, Op: op, Message: "query: " + err.Error()}
		}
		pc.domain.OrderBy = nil // the poller's own order is what paging needs
	}
	if fs := connector.Strings(cfg, "fields"); len(fs) > 0 {
		pc.fields = slices.Clone(fs)
		for _, f := range bookkeeping {
			if !slices.Contains(pc.fields, f) {
				pc.fields = append(pc.fields, f)
			}
		}
	}
	if pc.table == "" {
		return nil, &connector.Error{Kind: connector.Invalid, Op: op, Message: "table is empty"}
	}
	return pc, nil
}

// poller is one tick of a record trigger.
type poller struct {
	c        *Client
	req      *connector.PollRequest
	cfg      *pollConfig
	kind     pollKind
	cur      *cursor
	emitted  bool
	lastKey  [2]string // (timestamp, sys_id) of the last row read
	username string
}

// poll runs one tick: it reads every record whose timestamp lies in
// [max(TS - overlap, Floor), now - safety_lag], in (timestamp, sys_id)
// order, one keyset page at a time, and emits the versions not yet seen
// together with the advanced cursor after each page.
func poll(ctx context.Context, req *connector.PollRequest, kind pollKind) error {
	c, err := clientOf(req.Client, kind.op())
	if err != nil {
		return err
	}
	cfg, err := decodePollConfig(req.Config, kind.op())
	if err != nil {
		return err
	}
	now := time.Now
	if req.Now != nil {
		now = req.Now
	}
	t := now().UTC()
	upper := t.Add(-cfg.lag).Truncate(time.Second)
	p := &poller{c: c, req: req, cfg: cfg, kind: kind, username: c.username}
	fresh := len(req.Cursor) == 0
	if fresh {
		start := stamp(upper.Add(-cfg.backfill))
		p.cur = &cursor{TS: start, Floor: start, Seen: map[string]map[string]int64{}}
	} else if p.cur, err = decodeCursor(req.Cursor, kind.op()); err != nil {
		return err
	}
	if err := p.run(ctx, stamp(upper)); err != nil {
		return err
	}
	if !p.emitted && fresh {
		// Persist the starting point even when nothing happened, or the
		// next tick would start afresh at its own "now".
		return p.emit(ctx, nil)
	}
	return nil
}

// run reads the window's pages. Each page after the first starts after
// the last row read (keyset paging), so rows that leave the window while
// we page cannot shift later rows out of sight, as they would with offset
// paging. An empty page that still has a Link rel="next" (ACLs filter
// after sysparm_limit) is followed as it is.
func (p *poller) run(ctx context.Context, upper string) error {
	lower := p.lower()
	if upper < lower {
		return nil
	}
	r := p.request(lower, upper)
	for {
		pg, err := p.c.list(ctx, r)
		if err != nil {
			return err
		}
		if len(pg.rows) == 0 {
			if pg.next == "" {
				break
			}
			r = &request{op: r.op, method: http.MethodGet, url: pg.next}
			continue
		}
		prev := p.lastKey
		events := p.accept(pg.rows)
		if pg.next == "" {
			p.finish(upper)
		}
		p.prune()
		if err := p.emit(ctx, events); err != nil {
			return err
		}
		if pg.next == "" {
			return nil
		}
		if p.lastKey == prev {
			return &connector.Error{Kind: connector.Other, Op: r.op, Message: "paging made no progress: the instance ignored the keyset condition"}
		}
		r = p.request(lower, upper)
	}
	// The window ended on empty pages: everything up to upper was read.
	if p.finish(upper) {
		p.prune()
		return p.emit(ctx, nil)
	}
	return nil
}

// lower is the window's inclusive start.
func (p *poller) lower() string {
	l := stamp(parseStamp(p.cur.TS).Add(-p.cfg.overlap))
	if p.cur.Floor != "" && p.cur.Floor > l {
		return p.cur.Floor
	}
	return l
}

// request builds the query of the next page: the domain filter AND the
// window, or, after a page, AND the keyset position (F > T, or F = T and
// sys_id > ID). query.And repeats the domain inside each ^NQ group.
func (p *poller) request(lower, upper string) *request {
	f := p.kind.stampField()
	window := &query.Query{Groups: []query.Group{{Terms: []query.Term{
		cond(f, query.OpGe, lower), cond(f, query.OpLe, upper),
	}}}}
	if ts, id := p.lastKey[0], p.lastKey[1]; ts != "" {
		window = &query.Query{Groups: []query.Group{
			{Terms: []query.Term{cond(f, query.OpGt, ts), cond(f, query.OpLe, upper)}},
			{Terms: []query.Term{cond(f, query.OpEq, ts), cond("sys_id", query.OpGt, id)}},
		}}
	}
	q := query.And(p.cfg.domain, window)
	q.OrderBy = []query.Order{{Field: f}, {Field: "sys_id"}}
	params := recordParams()
	params.Set("sysparm_query", q.String())
	params.Set("sysparm_limit", strconv.Itoa(p.cfg.pageSize))
	if p.cfg.fields != nil {
		params.Set("sysparm_fields", strings.Join(p.cfg.fields, ","))
	}
	return &request{op: p.kind.op(), method: http.MethodGet, path: tablePath(p.cfg.table), query: params}
}

func cond(field, op, value string) query.Term {
	return query.Term{Conds: []query.Cond{{Field: field, Op: op, Value: value}}}
}

// accept records the rows in the cursor and returns the events of the
// versions not delivered before.
func (p *poller) accept(rows []map[string]any) []connector.Event {
	var events []connector.Event
	for _, row := range rows {
		rec := flatten(row, "value")
		id, on := rec["sys_id"], rec[p.kind.stampField()]
		if id == "" || on == "" {
			continue
		}
		p.lastKey = [2]string{on, id} // rows come in the server's (F, sys_id) order
		if on > p.cur.TS {
			p.cur.TS = on
		}
		mod, _ := strconv.ParseInt(rec["sys_mod_count"], 10, 64)
		bucket := p.cur.Seen[on]
		if prev, seen := bucket[id]; seen && (p.kind == created || mod <= prev) {
			continue
		}
		if bucket == nil {
			bucket = map[string]int64{}
			p.cur.Seen[on] = bucket
		}
		bucket[id] = mod
		if p.cfg.ignoreOwn && p.username != "" && rec[p.kind.byField()] == p.username {
			continue
		}
		events = append(events, p.event(rec, id, on, mod))
	}
	return events
}

func (p *poller) event(rec map[string]string, id, on string, mod int64) connector.Event {
	operation, evID := "updated", id+"@"+strconv.FormatInt(mod, 10)
	if p.kind == created {
		operation, evID = "created", id+"@created"
	} else if mod == 0 {
		operation = "created"
	}
	payload, _ := json.Marshal(map[string]any{
		"record": rec, "table": p.cfg.table, "sys_id": id, "number": rec["number"], "operation": operation,
	})
	return connector.Event{ID: evID, Type: "servicenow.record." + operation, Time: parseStamp(on), Payload: payload}
}

// finish marks the window as read up to upper, so the next tick re-reads
// only the overlap before it. It reports whether the cursor changed.
func (p *poller) finish(upper string) bool {
	if upper > p.cur.TS {
		p.cur.TS = upper
		return true
	}
	return false
}

// prune forgets what no later window can read again, and the floor once
// the window no longer reaches it.
func (p *poller) prune() {
	edge := stamp(parseStamp(p.cur.TS).Add(-p.cfg.overlap))
	for on := range p.cur.Seen {
		if on < edge {
			delete(p.cur.Seen, on)
		}
	}
	if p.cur.Floor != "" && p.cur.Floor <= edge {
		p.cur.Floor = ""
	}
}

func (p *poller) emit(ctx context.Context, events []connector.Event) error {
	b, err := json.Marshal(p.cur)
	if err != nil {
		return err
	}
	p.emitted = true
	return p.req.Emit(ctx, events, b)
}

func decodeCursor(b []byte, op string) (*cursor, error) {
	var cur cursor
	if err := json.Unmarshal(b, &cur); err != nil || parseStamp(cur.TS).IsZero() {
		return nil, &connector.Error{Kind: connector.Invalid, Op: op, Message: fmt.Sprintf("the trigger's cursor %.100q is unreadable", b), Err: err}
	}
	if cur.Seen == nil {
		cur.Seen = map[string]map[string]int64{}
	}
	return &cur, nil
}

func stamp(t time.Time) string { return t.UTC().Format(query.DateTimeLayout) }

func parseStamp(s string) time.Time {
	t, err := time.ParseInLocation(query.DateTimeLayout, s, time.UTC)
	if err != nil {
		return time.Time{}
	}
	return t
}
