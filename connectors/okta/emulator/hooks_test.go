package emulator_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/okta/okta-sdk-golang/v2/okta"

	"github.com/cardflow/cardflow/connectors/okta/emulator"
)

// receiver is an event-hook endpoint that answers verification and records
// deliveries, answering them with the scripted statuses (then 200).
type receiver struct {
	srv *httptest.Server

	mu         sync.Mutex
	statuses   []int
	delay      time.Duration
	posts      []*http.Request
	bodies     [][]byte
	challenges []string
	arrived    chan struct{}
	badVerify  bool
}

func newReceiver(t *testing.T, statuses ...int) *receiver {
	rc := &receiver{statuses: statuses, arrived: make(chan struct{}, 100)}
	rc.srv = httptest.NewServer(http.HandlerFunc(rc.serve))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	if r.Method == http.MethodGet {
		ch := r.Header.Get("X-Okta-Verification-Challenge")
		rc.challenges = append(rc.challenges, ch)
		bad := rc.badVerify
		rc.mu.Unlock()
		if bad {
			ch = "wrong"
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"verification": ch})
		return
	}
	rc.posts = append(rc.posts, r)
	rc.bodies = append(rc.bodies, body)
	status := http.StatusOK
	if len(rc.statuses) > 0 {
		status, rc.statuses = rc.statuses[0], rc.statuses[1:]
	}
	delay := rc.delay
	rc.delay = 0
	rc.mu.Unlock()
	rc.arrived <- struct{}{}
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
	}
	w.WriteHeader(status)
}

func (rc *receiver) waitPosts(t *testing.T, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		select {
		case <-rc.arrived:
		case <-time.After(10 * time.Second):
			t.Fatalf("got %d deliveries, want %d", i, n)
		}
	}
}

func (rc *receiver) postCount() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return len(rc.posts)
}

func TestEventHookVerificationThroughSDK(t *testing.T) {
	o := newOrg(t, emulator.Options{})
	rc := newReceiver(t)
	hook := okta.EventHook{
		Name:   "cardflow",
		Events: &okta.EventSubscriptions{Type: "EVENT_TYPE", Items: []string{"user.lifecycle.create"}},
		Channel: &okta.EventHookChannel{Type: "HTTP", Version: "1.0.0", Config: &okta.EventHookChannelConfig{
			Uri:        rc.srv.URL + "/hooks/okta",
			AuthScheme: &okta.EventHookChannelConfigAuthScheme{Type: "HEADER", Key: "Authorization", Value: "s3cret"},
		}},
	}
	created, _, err := o.client.EventHook.CreateEventHook(o.ctx, hook)
	if err != nil {
		t.Fatal(err)
	}
	if created.Status != "ACTIVE" || created.VerificationStatus != "UNVERIFIED" {
		t.Errorf("created: %s %s", created.Status, created.VerificationStatus)
	}
	if v := created.Channel.Config.AuthScheme.Value; v != "" {
		t.Errorf("authScheme.value %q returned; it is write-only", v)
	}
	// Unverified hooks get nothing.
	o.createUser(t, "before@x.com", false)

	verified, _, err := o.client.EventHook.VerifyEventHook(o.ctx, created.Id)
	if err != nil {
		t.Fatal(err)
	}
	rc.mu.Lock()
	challenges := append([]string{}, rc.challenges...)
	rc.mu.Unlock()
	if verified.VerificationStatus != "VERIFIED" || len(challenges) != 1 || challenges[0] == "" {
		t.Errorf("verify: %s, challenges %q", verified.VerificationStatus, challenges)
	}
	u := o.createUser(t, "after@x.com", false)
	rc.waitPosts(t, 1)
	var env struct {
		Data struct {
			Events []okta.LogEvent `json:"events"`
		} `json:"data"`
	}
	if err := json.Unmarshal(rc.bodies[0], &env); err != nil {
		t.Fatal(err)
	}
	if got := env.Data.Events[0].Target[0].Id; got != u.Id {
		t.Errorf("first delivery is for %s, want %s (the unverified hook must not get earlier events)", got, u.Id)
	}

	// A failing endpoint leaves the hook unverified: 400.
	rc.mu.Lock()
	rc.badVerify = true
	rc.mu.Unlock()
	hook.Name = "second"
	second, _, err := o.client.EventHook.CreateEventHook(o.ctx, hook)
	if err != nil {
		t.Fatal(err)
	}
	_, resp, err := o.client.EventHook.VerifyEventHook(o.ctx, second.Id)
	wantOktaError(t, resp, err, http.StatusBadRequest, "E0000001")
	got, _, _ := o.client.EventHook.GetEventHook(o.ctx, second.Id)
	if got.VerificationStatus != "UNVERIFIED" {
		t.Errorf("after failed verify: %s", got.VerificationStatus)
	}
	resp, err = o.client.EventHook.DeleteEventHook(o.ctx, second.Id)
	wantOktaError(t, resp, err, http.StatusBadRequest, "E0000001")
	if _, _, err := o.client.EventHook.DeactivateEventHook(o.ctx, second.Id); err != nil {
		t.Fatal(err)
	}
	if resp, err := o.client.EventHook.DeleteEventHook(o.ctx, second.Id); err != nil || resp.StatusCode != 204 {
		t.Errorf("delete inactive: %v %v", resp, err)
	}
}

func TestEventHookDelivery(t *testing.T) {
	o := newOrg(t, emulator.Options{})
	rc := newReceiver(t)
	id, err := o.emu.RegisterEventHook(emulator.EventHook{Name: "cardflow", URI: rc.srv.URL + "/hooks/okta",
		Secret: "s3cret", EventTypes: []string{"user.lifecycle.create"}})
	if err != nil {
		t.Fatal(err)
	}
	u := o.createUser(t, "kari@x.com", true) // activate is not subscribed
	rc.waitPosts(t, 1)
	r := rc.posts[0]
	for h, want := range map[string]string{"Authorization": "s3cret", "Content-Type": "application/json", "Accept": "application/json"} {
		if got := r.Header.Get(h); got != want {
			t.Errorf("header %s = %q, want %q", h, got, want)
		}
	}
	var env map[string]any
	if err := json.Unmarshal(rc.bodies[0], &env); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{"eventType": "com.okta.event_hook", "eventTypeVersion": "1.0",
		"cloudEventsVersion": "0.1", "contentType": "application/json"} {
		if env[k] != want {
			t.Errorf("envelope %s = %v, want %s", k, env[k], want)
		}
	}
	if !strings.HasSuffix(env["source"].(string), "/api/v1/eventHooks/"+id) || env["eventId"] == "" || env["eventTime"] == "" {
		t.Errorf("envelope source/eventId/eventTime = %v %v %v", env["source"], env["eventId"], env["eventTime"])
	}
	var typed struct {
		Data struct {
			Events []okta.LogEvent `json:"events"`
		} `json:"data"`
	}
	if err := json.Unmarshal(rc.bodies[0], &typed); err != nil {
		t.Fatal(err)
	}
	ev := typed.Data.Events[0]
	if ev.EventType != "user.lifecycle.create" || ev.Target[0].Id != u.Id || ev.Target[0].AlternateId != "kari@x.com" {
		t.Errorf("delivered event = %+v", ev)
	}
}

func TestEventHookRetries(t *testing.T) {
	tests := []struct {
		name      string
		statuses  []int
		wantPosts int
		wantFail  bool
	}{
		{"retry once on 500", []int{500, 500}, 2, true},
		{"500 then success", []int{503}, 2, false},
		{"no retry on 400", []int{400}, 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newOrg(t, emulator.Options{})
			rc := newReceiver(t, tt.statuses...)
			if _, err := o.emu.RegisterEventHook(emulator.EventHook{Name: "h", URI: rc.srv.URL,
				EventTypes: []string{"user.lifecycle.create", "user.lifecycle.suspend"}}); err != nil {
				t.Fatal(err)
			}
			u, err := o.emu.CreateUserWithPassword(profile("r@x.com", "R", "R"), "pw", true)
			if err != nil {
				t.Fatal(err)
			}
			rc.waitPosts(t, tt.wantPosts)
			// A second event marks the end of the first one's attempts.
			if _, err := o.client.User.SuspendUser(o.ctx, u.ID); err != nil {
				t.Fatal(err)
			}
			rc.waitPosts(t, 1)
			if got := rc.postCount(); got != tt.wantPosts+1 {
				t.Errorf("posts = %d, want %d for the first event and 1 for the second", got, tt.wantPosts+1)
			}
			failed := false
			for _, ev := range o.emu.LogEvents() {
				failed = failed || ev.EventType == "event_hook.delivery"
			}
			if failed != tt.wantFail {
				t.Errorf("event_hook.delivery logged = %v, want %v", failed, tt.wantFail)
			}
		})
	}
}

func TestEventHookRetryOnTimeout(t *testing.T) {
	rc := newReceiver(t)
	rc.delay = time.Second
	client := &http.Client{Timeout: 200 * time.Millisecond, Transport: rc.srv.Client().Transport}
	o := newOrg(t, emulator.Options{HookClient: client})
	if _, err := o.emu.RegisterEventHook(emulator.EventHook{Name: "h", URI: rc.srv.URL,
		EventTypes: []string{"user.lifecycle.create"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := o.emu.CreateUser(profile("t@x.com", "T", "T"), false); err != nil {
		t.Fatal(err)
	}
	rc.waitPosts(t, 2)
}

func TestDuplicateNextDelivery(t *testing.T) {
	o := newOrg(t, emulator.Options{})
	rc := newReceiver(t)
	if _, err := o.emu.RegisterEventHook(emulator.EventHook{Name: "h", URI: rc.srv.URL,
		EventTypes: []string{"user.lifecycle.create"}}); err != nil {
		t.Fatal(err)
	}
	o.emu.DuplicateNextDelivery()
	o.createUser(t, "one@x.com", false)
	o.createUser(t, "two@x.com", false)
	rc.waitPosts(t, 3)
	ids := make([]string, 3)
	uuids := make([]string, 3)
	for i, b := range rc.bodies[:3] {
		var env struct {
			EventID string `json:"eventId"`
			Data    struct {
				Events []struct {
					UUID string `json:"uuid"`
				} `json:"events"`
			} `json:"data"`
		}
		if err := json.Unmarshal(b, &env); err != nil {
			t.Fatal(err)
		}
		ids[i], uuids[i] = env.EventID, env.Data.Events[0].UUID
	}
	if ids[0] != ids[1] || uuids[0] != uuids[1] {
		t.Errorf("duplicate differs: eventIds %q, uuids %q", ids[:2], uuids[:2])
	}
	if ids[2] == ids[0] || uuids[2] == uuids[0] {
		t.Errorf("only the next delivery is duplicated: eventIds %q", ids)
	}
}

func TestRegisterEventHookVerificationFailure(t *testing.T) {
	o := newOrg(t, emulator.Options{})
	rc := newReceiver(t)
	rc.badVerify = true
	id, err := o.emu.RegisterEventHook(emulator.EventHook{Name: "h", URI: rc.srv.URL, EventTypes: []string{"user.lifecycle.create"}})
	if err == nil || id == "" {
		t.Fatalf("RegisterEventHook = %q, %v; want the id and an error", id, err)
	}
	rc.mu.Lock()
	rc.badVerify = false
	rc.mu.Unlock()
	if err := o.emu.VerifyEventHook(id); err != nil {
		t.Fatal(err)
	}
	skip, err := o.emu.RegisterEventHook(emulator.EventHook{Name: "s", URI: "http://127.0.0.1:1/unreachable",
		EventTypes: []string{"user.lifecycle.create"}, SkipVerification: true})
	if err != nil || skip == "" {
		t.Fatalf("SkipVerification: %q %v", skip, err)
	}
}

// TestListHooksWhileVerifying lists hooks while another hook is verified:
// the list is encoded outside the lock and must not share the record's
// timestamps (go test -race).
func TestListHooksWhileVerifying(t *testing.T) {
	o := newOrg(t, emulator.Options{})
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"verification":"` + r.Header.Get("X-Okta-Verification-Challenge") + `"}`))
	}))
	defer rcv.Close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 20 {
			if _, _, err := o.client.EventHook.ListEventHooks(o.ctx); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	for i := range 20 {
		if _, err := o.emu.RegisterEventHook(emulator.EventHook{Name: fmt.Sprintf("h%d", i), URI: rcv.URL,
			EventTypes: []string{"user.lifecycle.create"}}); err != nil {
			t.Fatal(err)
		}
	}
	<-done
}

// TestEventHookRefusesIneligibleTypes: a hook that subscribes to an event
// type that does not exist or is not eligible for event hooks is refused
// on create and on update with 400 E0000001 and an errorCause naming
// events.items and the type, as Okta refuses it; the hook is not stored
// and an existing hook keeps its types.
func TestEventHookRefusesIneligibleTypes(t *testing.T) {
	o := newOrg(t, emulator.Options{})
	rc := newReceiver(t)
	hook := func(types ...string) okta.EventHook {
		return okta.EventHook{
			Name:    "types",
			Events:  &okta.EventSubscriptions{Type: "EVENT_TYPE", Items: types},
			Channel: &okta.EventHookChannel{Type: "HTTP", Version: "1.0.0", Config: &okta.EventHookChannelConfig{Uri: rc.srv.URL}},
		}
	}
	for _, bad := range []string{"user.lifecycle.created", "event_hook.delivery", "not.a.type"} {
		t.Run(bad, func(t *testing.T) {
			_, resp, err := o.client.EventHook.CreateEventHook(o.ctx, hook("user.lifecycle.create", bad))
			wantOktaError(t, resp, err, http.StatusBadRequest, "E0000001")
			var oe *okta.Error
			if errors.As(err, &oe) {
				cause := fmt.Sprint(oe.ErrorCauses)
				if oe.ErrorSummary != "Api validation failed: events.items" || !strings.Contains(cause, "events.items") || !strings.Contains(cause, bad) {
					t.Errorf("summary %q, causes %s; want events.items and %q named", oe.ErrorSummary, cause, bad)
				}
			}
			if _, err := o.emu.RegisterEventHook(emulator.EventHook{Name: "direct", URI: rc.srv.URL, EventTypes: []string{bad}, SkipVerification: true}); err == nil {
				t.Errorf("RegisterEventHook took %q", bad)
			}
		})
	}
	hooks, _, err := o.client.EventHook.ListEventHooks(o.ctx)
	if err != nil || len(hooks) != 0 {
		t.Fatalf("after refused creates: %d hooks (%v), want none", len(hooks), err)
	}

	created, _, err := o.client.EventHook.CreateEventHook(o.ctx, hook("user.lifecycle.create", "group.user_membership.add"))
	if err != nil {
		t.Fatalf("eligible types refused: %v", err)
	}
	_, resp, err := o.client.EventHook.UpdateEventHook(o.ctx, created.Id, hook("user.lifecycle.create", "user.lifecycle.deleted"))
	wantOktaError(t, resp, err, http.StatusBadRequest, "E0000001")
	got, _, err := o.client.EventHook.GetEventHook(o.ctx, created.Id)
	if err != nil || strings.Join(got.Events.Items, ",") != "user.lifecycle.create,group.user_membership.add" {
		t.Errorf("after a refused update the hook subscribes to %v (%v)", got.Events.Items, err)
	}
}

// TestEveryEventTheOrgWritesIsSubscribable: every System Log event the
// emulator writes for a change (users' lifecycle, password, factor and
// session operations, groups, memberships, apps and their assignments) is
// of a type an event hook can subscribe to; event_hook.* are not, as in
// Okta.
func TestEveryEventTheOrgWritesIsSubscribable(t *testing.T) {
	o := newOrg(t, emulator.Options{})
	if err := o.emu.Seed(emulator.Seed{Users: []emulator.SeedUser{{ID: "00ulocked0000000000", Status: "LOCKED_OUT",
		Profile: profile("locked@x.com", "Locked", "Out")}}}); err != nil {
		t.Fatal(err)
	}
	do := func(method, path, body string, want int) []byte {
		t.Helper()
		return send(t, o, method, path, body, want)
	}
	uid := idOf(t, do("POST", "/api/v1/users?activate=true", `{"profile": {"login": "ev@x.com", "email": "ev@x.com", "firstName": "E", "lastName": "V"}, "credentials": {"password": {"value": "Pa55-word!"}}}`, 200))
	pid := idOf(t, do("POST", "/api/v1/users?activate=true", `{"profile": {"login": "prov@x.com", "email": "prov@x.com", "firstName": "P", "lastName": "V"}}`, 200))
	do("POST", "/api/v1/users/"+uid, `{"profile": {"title": "Engineer"}}`, 200)
	for _, op := range []string{"suspend", "unsuspend", "reset_password?sendEmail=false", "expire_password", "reset_factors"} {
		do("POST", "/api/v1/users/"+uid+"/lifecycle/"+op, "", 200)
	}
	do("POST", "/api/v1/users/"+uid+"/credentials/change_password", `{"newPassword": {"value": "N3w-pass!"}}`, 200)
	do("DELETE", "/api/v1/users/"+uid+"/sessions", "", 204)
	do("POST", "/api/v1/users/00ulocked0000000000/lifecycle/unlock", "", 200)
	do("POST", "/api/v1/users/"+pid+"/lifecycle/reactivate?sendEmail=false", "", 200)
	gid := idOf(t, do("POST", "/api/v1/groups", `{"profile": {"name": "Events"}}`, 200))
	do("PUT", "/api/v1/groups/"+gid, `{"profile": {"name": "Events", "description": "changed"}}`, 200)
	do("PUT", "/api/v1/groups/"+gid+"/users/"+uid, "", 204)
	aid := idOf(t, do("POST", "/api/v1/apps", `{"name": "bookmark", "signOnMode": "BOOKMARK", "settings": {"app": {"url": "https://x.example"}}}`, 200))
	do("POST", "/api/v1/apps/"+aid+"/users", `{"id": "`+uid+`", "scope": "USER"}`, 200)
	do("PUT", "/api/v1/apps/"+aid+"/groups/"+gid, `{}`, 200)
	do("DELETE", "/api/v1/apps/"+aid+"/groups/"+gid, "", 204)
	do("DELETE", "/api/v1/apps/"+aid+"/users/"+uid, "", 204)
	do("PUT", "/api/v1/apps/"+aid, `{"name": "bookmark", "label": "Renamed", "signOnMode": "BOOKMARK", "settings": {"app": {"url": "https://y.example"}}}`, 200)
	do("POST", "/api/v1/apps/"+aid+"/lifecycle/deactivate", "", 200)
	do("POST", "/api/v1/apps/"+aid+"/lifecycle/activate", "", 200)
	do("POST", "/api/v1/apps/"+aid+"/lifecycle/deactivate", "", 200)
	do("DELETE", "/api/v1/apps/"+aid, "", 204)
	do("DELETE", "/api/v1/groups/"+gid+"/users/"+uid, "", 204)
	do("DELETE", "/api/v1/groups/"+gid, "", 204)
	do("POST", "/api/v1/users/"+uid+"/lifecycle/deactivate", "", 200)
	do("DELETE", "/api/v1/users/"+uid, "", 204)

	seen := map[string]bool{}
	for _, ev := range o.emu.LogEvents() {
		if !strings.HasPrefix(ev.EventType, "event_hook.") {
			seen[ev.EventType] = true
		}
	}
	if len(seen) < 20 {
		t.Fatalf("only %d event types written: %v", len(seen), seen)
	}
	types := slices.Sorted(maps.Keys(seen))
	t.Logf("event types written: %s", strings.Join(types, " "))
	items, _ := json.Marshal(types)
	do("POST", "/api/v1/eventHooks", `{"name": "all", "events": {"type": "EVENT_TYPE", "items": `+string(items)+`},
		"channel": {"type": "HTTP", "version": "1.0.0", "config": {"uri": "http://127.0.0.1:1/hooks"}}}`, 200)
}

// deliveredEvents decodes the events of each delivery a receiver got, as
// "type:alternateId" of the first target.
func deliveredEvents(t *testing.T, rc *receiver) [][]string {
	t.Helper()
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var out [][]string
	for _, b := range rc.bodies {
		var env struct {
			EventID string `json:"eventId"`
			Data    struct {
				Events []okta.LogEvent `json:"events"`
			} `json:"data"`
		}
		if err := json.Unmarshal(b, &env); err != nil || env.EventID == "" {
			t.Fatalf("delivery %s: %v", b, err)
		}
		var evs []string
		for _, ev := range env.Data.Events {
			evs = append(evs, ev.EventType+":"+ev.Target[0].AlternateId)
		}
		out = append(out, evs)
	}
	return out
}

// TestEventHookBatching: with DeliveryBatchWindow, the events of a hook
// that occur within the window of its first are delivered together, in
// order, in one envelope, once the window ends; a later event opens a new
// window. Each hook gets its own batches.
func TestEventHookBatching(t *testing.T) {
	const window = time.Second
	o := newOrg(t, emulator.Options{DeliveryBatchWindow: window})
	creates, members := newReceiver(t), newReceiver(t)
	for _, h := range []struct {
		rc    *receiver
		types []string
	}{{creates, []string{"user.lifecycle.create"}}, {members, []string{"user.lifecycle.create", "group.user_membership.add"}}} {
		if _, err := o.emu.RegisterEventHook(emulator.EventHook{Name: "batch", URI: h.rc.srv.URL, EventTypes: h.types}); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now()
	group := send(t, o, "POST", "/api/v1/groups", `{"profile": {"name": "Batch"}}`, 200)
	for _, login := range []string{"b1@x.com", "b2@x.com", "b3@x.com"} {
		u, err := o.emu.CreateUser(profile(login, "B", "X"), false)
		if err != nil {
			t.Fatal(err)
		}
		send(t, o, "PUT", "/api/v1/groups/"+idOf(t, group)+"/users/"+u.ID, "", 204)
	}
	if n := creates.postCount() + members.postCount(); n != 0 && time.Since(start) < window {
		t.Errorf("%d deliveries within the batching window, want none until it ends", n)
	}
	creates.waitPosts(t, 1)
	members.waitPosts(t, 1)
	if took := time.Since(start); took < window {
		t.Errorf("the batch came %v after the first event, before the %v window ended", took, window)
	}
	want := [][]string{{"user.lifecycle.create:b1@x.com", "user.lifecycle.create:b2@x.com", "user.lifecycle.create:b3@x.com"}}
	if diff := cmp.Diff(want, deliveredEvents(t, creates)); diff != "" {
		t.Errorf("deliveries of the create hook (-want +got):\n%s", diff)
	}
	want = [][]string{{"user.lifecycle.create:b1@x.com", "group.user_membership.add:b1@x.com",
		"user.lifecycle.create:b2@x.com", "group.user_membership.add:b2@x.com",
		"user.lifecycle.create:b3@x.com", "group.user_membership.add:b3@x.com"}}
	if diff := cmp.Diff(want, deliveredEvents(t, members)); diff != "" {
		t.Errorf("deliveries of the membership hook (-want +got):\n%s", diff)
	}

	if _, err := o.emu.CreateUser(profile("b4@x.com", "B", "X"), false); err != nil {
		t.Fatal(err)
	}
	creates.waitPosts(t, 1)
	if got := deliveredEvents(t, creates); len(got) != 2 || !slices.Equal(got[1], []string{"user.lifecycle.create:b4@x.com"}) {
		t.Errorf("a later event: deliveries %v, want a second one with it alone", got)
	}
}
