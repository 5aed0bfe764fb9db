package okta_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/connectors/okta"
	"github.com/cardflow/cardflow/connectors/okta/emulator"
	"github.com/cardflow/cardflow/engine/connector"
)

// pollStore plays the engine's part: it keeps what Emit committed.
type pollStore struct {
	cursor []byte
	events []connector.Event
	emits  int
}

// poll runs one tick. onEmit, if set, sees each Emit before it commits and
// may refuse it (a crash before the commit) or cancel the tick.
func (p *pollStore) poll(t *testing.T, c connector.Client, cfg cty.Value, onEmit func(n int, cancel func()) error) error {
	t.Helper()
	tr, _ := okta.New().Trigger("system_log")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return tr.Poll(ctx, &connector.PollRequest{
		Client: c, Config: cfg, Cursor: p.cursor, Now: time.Now,
		Emit: func(_ context.Context, evs []connector.Event, cursor []byte) error {
			p.emits++
			if onEmit != nil {
				if err := onEmit(p.emits, cancel); err != nil {
					return err
				}
			}
			p.events = append(p.events, evs...)
			p.cursor = append([]byte(nil), cursor...)
			return nil
		},
	})
}

func (p *pollStore) ids() []string {
	ids := make([]string, len(p.events))
	for i, ev := range p.events {
		ids[i] = ev.ID
	}
	return ids
}

func logConfig(t *testing.T, attrs map[string]cty.Value) cty.Value {
	t.Helper()
	tr, _ := okta.New().Trigger("system_log")
	for _, a := range tr.Config {
		if v, ok := attrs[a.Name]; ok && a.Check != nil {
			if err := a.Check(v); err != nil {
				t.Fatalf("Check %s: %v", a.Name, err)
			}
		}
	}
	return objectValue(tr.Config, attrs)
}

func createUsers(t *testing.T, o *org, prefix string, n int) {
	t.Helper()
	for i := range n {
		login := fmt.Sprintf("%s%d@acme.example", prefix, i)
		if _, err := o.emu.CreateUser(map[string]any{"login": login, "email": login, "firstName": prefix, "lastName": "X"}, false); err != nil {
			t.Fatal(err)
		}
	}
}

// wantIDs lists the uuids of the emulator's events of the given types.
func wantIDs(o *org, types ...string) []string {
	var ids []string
	for _, ev := range o.emu.LogEvents() {
		if slices.Contains(types, ev.EventType) {
			ids = append(ids, ev.UUID)
		}
	}
	return ids
}

func TestSystemLogRestartMidStream(t *testing.T) {
	o := newOrg(t, nil)
	types := []string{"user.lifecycle.create", "user.lifecycle.activate"}
	cfg := logConfig(t, map[string]cty.Value{
		"event_types": cty.ListVal([]cty.Value{s(types[0]), s(types[1])}),
		"limit":       cty.NumberIntVal(3),
		"backfill":    s("1h"),
	})
	createUsers(t, o, "early", 7) // 7 creations before the first start: backfill reaches them
	if _, err := o.do(t, "activate_user", map[string]cty.Value{"user": s("early0@acme.example")}); err != nil {
		t.Fatal(err)
	}
	var st pollStore

	// Run 1 is stopped (context cancelled) right after its first page.
	err := st.poll(t, o.client, cfg, func(n int, cancel func()) error {
		if n == 1 {
			cancel()
		}
		return nil
	})
	if err == nil || len(st.events) != 3 {
		t.Fatalf("run 1: err=%v, %d events; want a cancelled tick after one page of 3", err, len(st.events))
	}
	createUsers(t, o, "between", 2)

	// Run 2, from a fresh connection, crashes inside its second Emit.
	c2 := o.open(t, nil)
	err = st.poll(t, c2, cfg, func(n int, _ func()) error {
		if n == 3 {
			return errors.New("crash before commit")
		}
		return nil
	})
	if err == nil || len(st.events) != 6 {
		t.Fatalf("run 2: err=%v, %d events; want the crash after 6 committed", err, len(st.events))
	}
	createUsers(t, o, "late", 2)

	// Run 3 catches up and stops on the empty page.
	c3 := o.open(t, nil)
	if err := st.poll(t, c3, cfg, nil); err != nil {
		t.Fatalf("run 3: %v", err)
	}
	want := wantIDs(o, types...)
	if got := st.ids(); !slices.Equal(got, want) {
		t.Fatalf("events after restarts:\n got %v\nwant %v", got, want)
	}

	// An idle tick emits nothing new; later events arrive exactly once.
	before := len(st.events)
	if err := st.poll(t, c3, cfg, nil); err != nil || len(st.events) != before {
		t.Fatalf("idle tick: err=%v, %d new events", err, len(st.events)-before)
	}
	createUsers(t, o, "after", 1)
	if err := st.poll(t, c3, cfg, nil); err != nil {
		t.Fatal(err)
	}
	if got := st.ids(); !slices.Equal(got, wantIDs(o, types...)) {
		t.Fatalf("after idle tick: got %d events, want %d", len(got), len(wantIDs(o, types...)))
	}
	if !strings.HasPrefix(string(st.cursor), "/api/v1/logs?") || !strings.Contains(string(st.cursor), "after=") {
		t.Errorf("cursor %q is not Okta's next link", st.cursor)
	}
}

func TestSystemLogStartsNowWithoutBackfill(t *testing.T) {
	o := newOrg(t, nil)
	cfg := logConfig(t, map[string]cty.Value{"event_types": cty.ListVal([]cty.Value{s("user.lifecycle.create")})})
	createUsers(t, o, "old", 2)
	time.Sleep(5 * time.Millisecond) // since has millisecond precision
	var st pollStore
	if err := st.poll(t, o.client, cfg, nil); err != nil {
		t.Fatal(err)
	}
	if len(st.events) != 0 || st.cursor == nil {
		t.Fatalf("first tick: %d events, cursor %q; want none and a stored start", len(st.events), st.cursor)
	}
	uris := o.last.uris()
	first, _ := url.Parse(strings.TrimPrefix(uris[len(uris)-1], "GET "))
	q := first.Query()
	if first.Path != "/api/v1/logs" || q.Get("filter") != `eventType eq "user.lifecycle.create"` ||
		q.Get("sortOrder") != "ASCENDING" || q.Get("limit") != "100" || q.Get("since") == "" || q.Get("after") != "" {
		t.Errorf("first request %s", first)
	}
	createUsers(t, o, "new", 2)
	if err := st.poll(t, o.client, cfg, nil); err != nil {
		t.Fatal(err)
	}
	if len(st.events) != 2 {
		t.Fatalf("%d events, want the 2 created after the start", len(st.events))
	}
	tr, _ := okta.New().Trigger("system_log")
	v, err := connector.FromJSON(st.events[0].Payload, tr.Output)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := o.emu.User("new0@acme.example")
	if walk(v, []string{"event", "target", "0", "id"}) != u.ID || walk(v, []string{"event", "eventType"}) != "user.lifecycle.create" {
		t.Errorf("trigger value %s", v.GoString())
	}
	if src := walk(v, []string{"delivery", "source"}); src != o.srv.URL+"/api/v1/logs" {
		t.Errorf("delivery.source = %q", src)
	}
	if st.events[0].Time.IsZero() || walk(v, []string{"delivery", "event_time"}) == "" {
		t.Error("no event time")
	}
}

func TestSystemLogFilter(t *testing.T) {
	o := newOrg(t, nil)
	cfg := logConfig(t, map[string]cty.Value{
		"event_types": cty.ListVal([]cty.Value{s("user.lifecycle.create"), s("user.lifecycle.activate")}),
		"log_filter":  s(`target.alternateId eq "pick1@acme.example"`),
		"backfill":    s("10m"),
	})
	createUsers(t, o, "pick", 3)
	var st pollStore
	if err := st.poll(t, o.client, cfg, nil); err != nil {
		t.Fatal(err)
	}
	if len(st.events) != 1 {
		t.Fatalf("%d events, want the one creation of pick1", len(st.events))
	}
}

func TestSystemLogErrors(t *testing.T) {
	o := newOrg(t, nil)
	cfg := logConfig(t, map[string]cty.Value{"event_types": cty.ListVal([]cty.Value{s("user.lifecycle.create")})})
	st := pollStore{cursor: []byte("/api/v1/users?after=x")}
	if err := st.poll(t, o.client, cfg, nil); connector.KindOf(err) != connector.Invalid {
		t.Errorf("foreign cursor: %v, want Invalid", err)
	}
	o.emu.Inject(emulatorFault500())
	st = pollStore{}
	err := st.poll(t, o.client, cfg, nil)
	if ce := asError(t, err); ce.Kind != connector.Transient || ce.Op != "okta.system_log" {
		t.Errorf("500: %v, want Transient okta.system_log", err)
	}
	tr, _ := okta.New().Trigger("system_log")
	for name, v := range map[string]cty.Value{"backfill": s("2200h"), "limit": cty.NumberIntVal(5000), "log_filter": s(`published gt "x"`)} {
		a, _ := tr.Config.Lookup(name)
		if a.Check(v) == nil {
			t.Errorf("%s Check accepted %s", name, v.GoString())
		}
	}
}

func emulatorFault500() emulator.Fault {
	return emulator.Fault{PathPrefix: "/api/v1/logs", Status: 500}
}
