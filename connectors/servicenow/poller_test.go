package servicenow_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/connectors/servicenow"
	"github.com/cardflow/cardflow/connectors/servicenow/emulator"
	"github.com/cardflow/cardflow/engine/connector"
)

// feed drives one record trigger like the engine does: it keeps the last
// emitted cursor and every event, and fails the test on a repeated ID.
type feed struct {
	t      *testing.T
	in     *instance
	trig   *connector.Trigger
	config cty.Value
	cursor []byte
	ids    map[string]bool
	events []connector.Event // every event, in order
	// onEmit, when set, runs after each Emit (an update landing mid-poll);
	// an error from it fails that Emit (a crash).
	onEmit func(page int) error
}

func newFeed(t *testing.T, in *instance, trigger string, cfg map[string]cty.Value) *feed {
	t.Helper()
	trig, ok := servicenow.New().Trigger(trigger)
	if !ok {
		t.Fatalf("no trigger %s", trigger)
	}
	all := map[string]cty.Value{"table": str("incident")}
	for k, v := range cfg {
		all[k] = v
	}
	return &feed{t: t, in: in, trig: trig, config: object(t, trig.Config, all), ids: map[string]bool{}}
}

// tick runs one poll and returns the IDs of the events it emitted.
func (f *feed) tick() ([]string, error) {
	f.t.Helper()
	var got []string
	page := 0
	req := &connector.PollRequest{
		Client: f.in.c, Config: f.config, Cursor: f.cursor, Now: f.in.clock.Now,
		Emit: func(ctx context.Context, events []connector.Event, cursor []byte) error {
			page++
			if f.onEmit != nil {
				if err := f.onEmit(page); err != nil {
					return err
				}
			}
			if !json.Valid(cursor) {
				f.t.Fatalf("cursor %q is not JSON", cursor)
			}
			for _, ev := range events {
				if f.ids[ev.ID] {
					f.t.Errorf("event %s delivered twice", ev.ID)
				}
				f.ids[ev.ID] = true
				got = append(got, ev.ID)
				f.events = append(f.events, ev)
				f.checkPayload(ev)
			}
			f.cursor = cursor
			return nil
		},
	}
	err := f.trig.Poll(context.Background(), req)
	return got, err
}

func (f *feed) mustTick() []string {
	f.t.Helper()
	got, err := f.tick()
	if err != nil {
		f.t.Fatalf("poll: %v", err)
	}
	return got
}

// checkPayload decodes the event as the engine will: into the trigger's
// Output type.
func (f *feed) checkPayload(ev connector.Event) {
	f.t.Helper()
	v, err := connector.FromJSON(ev.Payload, f.trig.Output)
	if err != nil {
		f.t.Fatalf("payload of %s: %v", ev.ID, err)
	}
	sysID := v.GetAttr("sys_id").AsString()
	rec := v.GetAttr("record")
	if sysID == "" || rec.Index(str("sys_id")).AsString() != sysID || v.GetAttr("table").AsString() != "incident" {
		f.t.Errorf("payload of %s: %s", ev.ID, ev.Payload)
	}
	op := v.GetAttr("operation").AsString()
	if op != "created" && op != "updated" {
		f.t.Errorf("operation %q", op)
	}
	if ev.Time.IsZero() {
		f.t.Errorf("event %s has no time", ev.ID)
	}
}

func version(rec map[string]string) string { return rec["sys_id"] + "@" + rec["sys_mod_count"] }

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func expect(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if !slices.Equal(sorted(got), sorted(want)) {
		t.Errorf("%s: events %v, want %v", what, got, want)
	}
}

var sec = cty.StringVal

func TestPollStartsAtNow(t *testing.T) {
	in := newInstance(t, emulator.Options{}, nil)
	in.insert(t, approver, map[string]string{"short_description": "old"})
	in.clock.Advance(time.Hour)
	f := newFeed(t, in, "record_updated", nil)
	expect(t, "first start", f.mustTick())
	if f.cursor == nil {
		t.Fatal("the first start did not persist its cursor")
	}
	in.clock.Advance(time.Minute)
	expect(t, "nothing new", f.mustTick())

	a := in.insert(t, approver, map[string]string{"short_description": "new"})
	in.clock.Advance(time.Second)
	expect(t, "within the safety lag", f.mustTick())
	in.clock.Advance(2 * time.Second)
	expect(t, "after the safety lag", f.mustTick(), version(a))
	expect(t, "again", f.mustTick())
}

func TestPollBackfill(t *testing.T) {
	in := newInstance(t, emulator.Options{}, nil)
	in.insert(t, approver, map[string]string{"short_description": "three hours ago"})
	in.clock.Advance(2 * time.Hour)
	recent := in.insert(t, approver, map[string]string{"short_description": "an hour ago"})
	in.clock.Advance(time.Hour)
	f := newFeed(t, in, "record_updated", map[string]cty.Value{"backfill": sec("2h"), "page_size": cty.NumberIntVal(1)})
	expect(t, "backfill 2h", f.mustTick(), version(recent))
	in.clock.Advance(time.Minute)
	expect(t, "next tick", f.mustTick())
}

// TestPollTies: with one-second timestamps, updates that share the second
// of the cursor are neither lost (>=, not >) nor repeated (seen set).
func TestPollTies(t *testing.T) {
	in := newInstance(t, emulator.Options{}, nil)
	f := newFeed(t, in, "record_updated", map[string]cty.Value{"safety_lag": sec("0s"), "page_size": cty.NumberIntVal(2)})
	f.mustTick()
	in.clock.Advance(time.Second)

	var recs []map[string]string
	for i := range 5 {
		recs = append(recs, in.insert(t, approver, map[string]string{"short_description": fmt.Sprint("tie ", i)}))
	}
	expect(t, "five in one second", f.mustTick(), version(recs[0]), version(recs[1]), version(recs[2]), version(recs[3]), version(recs[4]))

	// The same second goes on: more writes with the timestamp just polled.
	in.update(t, approver, recs[1]["sys_id"], map[string]string{"urgency": "2"})
	u1 := in.update(t, approver, recs[1]["sys_id"], map[string]string{"urgency": "1"})
	u3 := in.update(t, approver, recs[3]["sys_id"], map[string]string{"urgency": "2"})
	late := in.insert(t, approver, map[string]string{"short_description": "late in the second"})
	expect(t, "same second, later writes", f.mustTick(), version(u1), version(u3), version(late))
	expect(t, "nothing new", f.mustTick())
	in.clock.Advance(30 * time.Second)
	expect(t, "after the overlap", f.mustTick())
}

// TestPollUpdateWhilePaging: records updated after their page was read, or
// before, leave the window mid-poll. Keyset pages do not shift, so no other
// record is skipped, even with no overlap to repair it later.
func TestPollUpdateWhilePaging(t *testing.T) {
	for _, overlap := range []string{"0s", "10s"} {
		t.Run("overlap "+overlap, func(t *testing.T) {
			in := newInstance(t, emulator.Options{}, nil)
			f := newFeed(t, in, "record_updated", map[string]cty.Value{"overlap": sec(overlap), "page_size": cty.NumberIntVal(2)})
			f.mustTick()
			in.clock.Advance(time.Second)
			for i := range 7 {
				in.insert(t, approver, map[string]string{"short_description": fmt.Sprint("r", i)})
			}
			in.clock.Advance(5 * time.Second)
			ordered := in.emu.Find("incident", "short_descriptionSTARTSWITHr^ORDERBYsys_updated_on^ORDERBYsys_id")
			if len(ordered) != 7 {
				t.Fatalf("Find: %d records", len(ordered))
			}
			var updated []map[string]string
			f.onEmit = func(page int) error {
				if page == 1 { // one record already read, one not yet
					updated = append(updated,
						in.update(t, approver, ordered[0]["sys_id"], map[string]string{"urgency": "1"}),
						in.update(t, approver, ordered[5]["sys_id"], map[string]string{"urgency": "1"}))
				}
				return nil
			}
			first := f.mustTick()
			f.onEmit = nil
			var want []string
			for i, r := range ordered {
				if i != 5 {
					want = append(want, version(r))
				}
			}
			expect(t, "first tick", first, want...)
			in.clock.Advance(5 * time.Second)
			expect(t, "second tick", f.mustTick(), version(updated[0]), version(updated[1]))
			expect(t, "third tick", f.mustTick())
		})
	}
}

// TestPollRestart: a crash after a page resumes from the last emitted
// cursor; nothing is lost and nothing repeats.
func TestPollRestart(t *testing.T) {
	in := newInstance(t, emulator.Options{}, nil)
	f := newFeed(t, in, "record_updated", map[string]cty.Value{"page_size": cty.NumberIntVal(2)})
	f.mustTick()
	var want []string
	for i := range 9 {
		want = append(want, version(in.insert(t, approver, map[string]string{"short_description": fmt.Sprint("r", i)})))
		if i%3 == 2 {
			in.clock.Advance(time.Second)
		}
	}
	in.clock.Advance(5 * time.Second)
	crash := errors.New("crash")
	f.onEmit = func(page int) error {
		if page == 3 {
			return crash
		}
		return nil
	}
	before, err := f.tick()
	if !errors.Is(err, crash) || len(before) != 4 {
		t.Fatalf("crashing tick: %d events, err %v; want 4 and the crash", len(before), err)
	}
	f.onEmit = nil
	after := f.mustTick() // a new Poll with the last emitted cursor
	expect(t, "across the restart", append(before, after...), want...)
	expect(t, "then", f.mustTick())
}

// TestPollOwnWrites: the connection's own writes do not trigger its flows.
func TestPollOwnWrites(t *testing.T) {
	in := newInstance(t, emulator.Options{}, nil)
	f := newFeed(t, in, "record_updated", nil)
	all := newFeed(t, in, "record_updated", map[string]cty.Value{"ignore_own_updates": cty.False})
	f.mustTick()
	all.mustTick()
	in.clock.Advance(time.Second)

	own := mustRun(t, in.c, "create_record", map[string]cty.Value{"table": str("incident"), "fields": strMap("short_description", "mine")})
	id := own.GetAttr("sys_id").AsString()
	in.clock.Advance(5 * time.Second)
	expect(t, "own create", f.mustTick())
	expect(t, "own create, not ignored", all.mustTick(), id+"@0")

	resolved := in.update(t, approver, id, map[string]string{"state": "6", "close_code": "Solution provided", "close_notes": "ok"})
	in.clock.Advance(5 * time.Second)
	expect(t, "approver resolves", f.mustTick(), version(resolved))
	all.mustTick()

	closed := mustRun(t, in.c, "close_incident", map[string]cty.Value{"sys_id": str(id)})
	in.clock.Advance(5 * time.Second)
	expect(t, "flow closes", f.mustTick())
	expect(t, "flow closes, not ignored", all.mustTick(), id+"@"+field(closed, "sys_mod_count"))
}

// TestPollCreated: one event per new record, whatever happens to it later,
// and only records the domain query selects (the filter is repeated in
// each ^NQ group of the paging query).
func TestPollCreated(t *testing.T) {
	in := newInstance(t, emulator.Options{}, nil)
	f := newFeed(t, in, "record_created", map[string]cty.Value{
		"query": str("impact=1^NQurgency=1"), "page_size": cty.NumberIntVal(1), "safety_lag": sec("0s"),
		"fields": cty.ListVal([]cty.Value{str("short_description")}),
	})
	f.mustTick()
	in.clock.Advance(time.Second)
	a := in.insert(t, approver, map[string]string{"impact": "1", "short_description": "a"})
	b := in.insert(t, approver, map[string]string{"urgency": "1", "short_description": "b"})
	in.insert(t, approver, map[string]string{"impact": "3", "urgency": "3", "short_description": "not selected"})
	c := in.insert(t, approver, map[string]string{"impact": "1", "short_description": "c"})
	expect(t, "created", f.mustTick(), a["sys_id"]+"@created", b["sys_id"]+"@created", c["sys_id"]+"@created")
	var p struct {
		Record    map[string]string `json:"record"`
		Number    string            `json:"number"`
		Operation string            `json:"operation"`
	}
	if err := json.Unmarshal(f.events[0].Payload, &p); err != nil {
		t.Fatal(err)
	}
	if _, ok := p.Record["impact"]; ok || p.Record["short_description"] == "" || p.Record["sys_mod_count"] != "0" || p.Number == "" || p.Operation != "created" {
		t.Errorf("fields did not select short_description plus the bookkeeping fields: %s", f.events[0].Payload)
	}
	in.update(t, approver, a["sys_id"], map[string]string{"short_description": "a2"})
	in.clock.Advance(time.Second)
	expect(t, "after an update", f.mustTick())
}

// TestPollCursorIsSmall: seen entries outside the overlap are pruned.
func TestPollCursorIsSmall(t *testing.T) {
	in := newInstance(t, emulator.Options{}, nil)
	f := newFeed(t, in, "record_updated", nil)
	f.mustTick()
	for range 50 {
		in.clock.Advance(time.Second)
		in.insert(t, approver, map[string]string{"short_description": "steady"})
	}
	in.clock.Advance(time.Minute)
	if n := len(f.mustTick()); n != 50 {
		t.Fatalf("%d events, want 50", n)
	}
	var cur struct {
		Seen map[string]any `json:"seen"`
	}
	if err := json.Unmarshal(f.cursor, &cur); err != nil {
		t.Fatal(err)
	}
	if len(cur.Seen) != 0 {
		t.Errorf("cursor keeps %d seen entries a minute later: %s", len(cur.Seen), f.cursor)
	}
}

// TestPollACLPages: ACLs filter after sysparm_limit, so pages come back
// short or empty while more rows follow. A short page continues after its
// last visible row; an empty one follows Link rel="next".
func TestPollACLPages(t *testing.T) {
	in := newInstance(t, emulator.Options{}, nil)
	f := newFeed(t, in, "record_updated", map[string]cty.Value{"page_size": cty.NumberIntVal(2)})
	f.mustTick()
	in.clock.Advance(time.Second)
	var want []string
	for i := range 6 {
		want = append(want, version(in.insert(t, approver, map[string]string{"short_description": fmt.Sprint("r", i)})))
	}
	in.clock.Advance(5 * time.Second)

	in.emu.Inject(emulator.Fault{Method: "GET", PathPrefix: "/api/now/table/incident", HideRows: 1})
	expect(t, "a short first page", f.mustTick(), want...)

	in.clock.Advance(time.Minute)
	expect(t, "quiet", f.mustTick()) // the window moves past the first batch
	var more []string
	for i := range 6 {
		more = append(more, version(in.insert(t, approver, map[string]string{"short_description": fmt.Sprint("s", i)})))
	}
	in.clock.Advance(5 * time.Second)
	in.emu.Inject(emulator.Fault{Method: "GET", PathPrefix: "/api/now/table/incident", HideRows: 2})
	got := f.mustTick()
	if len(got) != 4 {
		t.Errorf("after an empty first page: %d events, want the 4 rows after it", len(got))
	}
	// The rows the fault hid are read again within the overlap.
	in.clock.Advance(time.Second)
	expect(t, "empty first page, then the next tick", append(got, f.mustTick()...), more...)
}

// TestPollFieldsNarrowTheRecord: a block that lists its fields gets records
// of those and the bookkeeping fields (sysparm_fields): its events fit the
// narrowed trigger.* that validate checks references against, and a listed
// field the table lacks reads null rather than failing the event.
func TestPollFieldsNarrowTheRecord(t *testing.T) {
	in := newInstance(t, emulator.Options{}, nil)
	in.clock.Advance(time.Hour)
	fields := cty.ListVal([]cty.Value{str("state"), str("correlation_id"), str("u_not_on_this_instance")})
	f := newFeed(t, in, "record_updated", map[string]cty.Value{"fields": fields, "safety_lag": sec("0s")})
	expect(t, "first start", f.mustTick())
	in.clock.Advance(time.Second)
	rec := in.insert(t, approver, map[string]string{"short_description": "new", "correlation_id": "00u1"})
	in.clock.Advance(time.Second)
	expect(t, "the new record", f.mustTick(), version(rec))

	ty := f.trig.OutputFor(f.config)
	want := []string{"correlation_id", "number", "state", "sys_created_by", "sys_created_on", "sys_id", "sys_mod_count", "sys_updated_by", "sys_updated_on", "u_not_on_this_instance"}
	if got := connector.SortedKeys(ty.AttributeType("record").AttributeTypes()); !slices.Equal(got, want) {
		t.Fatalf("record attributes %v, want %v", got, want)
	}
	v, err := connector.FromJSON(f.events[0].Payload, ty)
	if err != nil {
		t.Fatalf("the event does not fit the narrowed trigger.*: %v\n%s", err, f.events[0].Payload)
	}
	r := v.GetAttr("record")
	if r.GetAttr("correlation_id").AsString() != "00u1" || r.GetAttr("number").AsString() != rec["number"] || r.GetAttr("state").AsString() != rec["state"] {
		t.Errorf("record %#v, want the inserted one's fields", r)
	}
	if !r.GetAttr("u_not_on_this_instance").IsNull() {
		t.Errorf("a field the instance does not send reads %#v, want null", r.GetAttr("u_not_on_this_instance"))
	}
	if got := f.trig.OutputFor(object(t, f.trig.Config, map[string]cty.Value{"table": str("incident")})); !got.Equals(f.trig.Output) {
		t.Errorf("without fields, trigger.* is %#v, want the map of every field", got)
	}
}
