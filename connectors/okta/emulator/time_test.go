package emulator_test

import (
	"bytes"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cardflow/cardflow/connectors/okta/emulator"
)

// oktaTimeShape is how Okta writes every timestamp: UTC, milliseconds,
// always three fractional digits.
var oktaTimeShape = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$`)

// looksLikeTime matches any string starting as an ISO 8601 date-time.
var looksLikeTime = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T`)

// send makes an API request with a JSON body (none when body is "") and
// returns the answer's body, failing the test unless the status is want.
func send(t *testing.T, o *org, method, path, body string, want int) []byte {
	t.Helper()
	req, err := http.NewRequest(method, o.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "SSWS "+testToken)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := o.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: %d %s, want %d", method, path, resp.StatusCode, b, want)
	}
	return b
}

// idOf is the "id" of a JSON object answer.
func idOf(t *testing.T, b []byte) string {
	t.Helper()
	var v struct{ ID string }
	if err := json.Unmarshal(b, &v); err != nil || v.ID == "" {
		t.Fatalf("no id in %s (%v)", b, err)
	}
	return v.ID
}

// checkTimes walks a JSON document and checks that every string that is a
// date-time has Okta's shape; it records the keys it checked.
func checkTimes(t *testing.T, where string, doc []byte, seen map[string]bool) {
	t.Helper()
	var v any
	dec := json.NewDecoder(bytes.NewReader(doc))
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("%s: not JSON: %v\n%s", where, err, doc)
	}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				walk(path+"."+k, x)
			}
		case []any:
			for _, x := range v {
				walk(path+"[]", x)
			}
		case string:
			if !looksLikeTime.MatchString(v) {
				return
			}
			if !oktaTimeShape.MatchString(v) {
				t.Errorf("%s: %s = %q, want Okta's shape 2006-01-02T15:04:05.000Z", where, path, v)
			}
			seen[path[strings.LastIndex(path, ".")+1:]] = true
		}
	}
	walk("", v)
}

// TestTimestampsHaveOktaShape: every timestamp the emulator writes — users,
// groups, apps and their assignments, event hooks, System Log events and
// event-hook deliveries — has three fractional digits and a Z, as Okta's
// do, also when the time falls on a whole second (where RFC 3339 as Go
// writes it drops the fraction) or on a tenth of one.
func TestTimestampsHaveOktaShape(t *testing.T) {
	for _, at := range []time.Time{
		time.Date(2026, 12, 7, 23, 21, 18, 0, time.UTC),
		time.Date(2026, 12, 7, 23, 21, 18, 100*int(time.Millisecond), time.FixedZone("CET", 3600)),
	} {
		t.Run(at.Format(time.RFC3339Nano), func(t *testing.T) {
			o := newOrg(t, emulator.Options{Now: func() time.Time { return at }})
			rc := newReceiver(t)
			if _, err := o.emu.RegisterEventHook(emulator.EventHook{Name: "times", URI: rc.srv.URL,
				EventTypes: []string{"user.lifecycle.create", "group.user_membership.add"}}); err != nil {
				t.Fatal(err)
			}
			docs := map[string][]byte{}
			user := send(t, o, "POST", "/api/v1/users?activate=true",
				`{"profile": {"login": "t@x.com", "email": "t@x.com", "firstName": "T", "lastName": "X"}, "credentials": {"password": {"value": "Pa55-word!"}}}`, 200)
			uid := idOf(t, user)
			docs["create user"] = user
			group := send(t, o, "POST", "/api/v1/groups", `{"profile": {"name": "Times"}}`, 200)
			gid := idOf(t, group)
			docs["create group"] = group
			send(t, o, "PUT", "/api/v1/groups/"+gid+"/users/"+uid, "", 204)
			app := send(t, o, "POST", "/api/v1/apps", `{"name": "bookmark", "signOnMode": "BOOKMARK", "settings": {"app": {"url": "https://x.example"}}}`, 200)
			aid := idOf(t, app)
			docs["create app"] = app
			docs["assign user"] = send(t, o, "POST", "/api/v1/apps/"+aid+"/users", `{"id": "`+uid+`", "scope": "USER"}`, 200)
			docs["assign group"] = send(t, o, "PUT", "/api/v1/apps/"+aid+"/groups/"+gid, `{}`, 200)
			hook := send(t, o, "POST", "/api/v1/eventHooks", `{"name": "h", "events": {"type": "EVENT_TYPE", "items": ["user.lifecycle.create"]},
				"channel": {"type": "HTTP", "version": "1.0.0", "config": {"uri": "`+rc.srv.URL+`"}}}`, 200)
			docs["create hook"] = hook
			for _, path := range []string{
				"/api/v1/users", "/api/v1/users/" + uid, "/api/v1/users/" + uid + "/groups",
				"/api/v1/groups", "/api/v1/groups/" + gid, "/api/v1/groups/" + gid + "/users",
				"/api/v1/apps", "/api/v1/apps/" + aid, "/api/v1/apps/" + aid + "/users", "/api/v1/apps/" + aid + "/users/" + uid,
				"/api/v1/apps/" + aid + "/groups", "/api/v1/eventHooks", "/api/v1/eventHooks/" + idOf(t, hook),
				"/api/v1/logs", "/api/v1/logs?since=2026-12-01T00:00:00Z&until=2026-12-31T00:00:00Z",
			} {
				docs["GET "+path] = send(t, o, "GET", path, "", 200)
			}
			docs["lifecycle suspend"] = send(t, o, "POST", "/api/v1/users/"+uid+"/lifecycle/suspend", "", 200)
			docs["user after suspend"] = send(t, o, "GET", "/api/v1/users/"+uid, "", 200)
			rc.waitPosts(t, 2)
			rc.mu.Lock()
			for i, b := range rc.bodies {
				docs["delivery "+string(rune('1'+i))] = b
			}
			rc.mu.Unlock()

			seen := map[string]bool{}
			for _, where := range slices.Sorted(maps.Keys(docs)) {
				checkTimes(t, where, docs[where], seen)
			}
			// The walk must have met every kind of timestamp, or it proves
			// nothing about the ones it missed.
			for _, key := range []string{"created", "lastUpdated", "activated", "statusChanged", "passwordChanged",
				"lastMembershipUpdated", "published", "eventTime"} {
				if !seen[key] {
					t.Errorf("no %q timestamp in the emulator's answers: the walk missed it", key)
				}
			}
		})
	}
}
