package okta

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cardflow/cardflow/internal/jsonscan"
)

// membershipDelivery is a group membership event: Okta lists the user
// first and the group second.
const membershipDelivery = `{"eventType":"com.okta.event_hook","eventId":"d1","data":{"events":[` +
	`{"uuid":"e1","eventType":"group.user_membership.add","published":"2026-01-02T03:04:05.000Z",` +
	`"target":[{"id":"00u1","type":"User","alternateId":"a@x.com","displayName":"A B"},` +
	`{"id":"00g1","type":"UserGroup","alternateId":"Finance","displayName":"Finance"}]},` +
	`{"uuid":"e2","eventType":"user.lifecycle.create","published":"2026-01-02T03:04:05.000Z",` +
	`"target":[{"id":"00u2","type":"User","alternateId":"c@x.com","displayName":"C D"}]},` +
	`{"uuid":"e3","eventType":"application.user_membership.add",` +
	`"target":[{"id":"0oa1","type":"AppInstance","alternateId":"Slack","displayName":"Slack"},{"id":"00u3","type":"User"}]}` +
	`]}}`

func TestTriggerAccessors(t *testing.T) {
	// The one-pass reader and the encoding/json decoder agree (the
	// second body's "Target" key sends it down the encoding/json path).
	checkDelivery(t, []byte(membershipDelivery))
	type actor struct{ ID, Type string }
	type payload struct {
		User, Group, App *actor
	}
	want := []payload{
		{User: &actor{"00u1", "User"}, Group: &actor{"00g1", "UserGroup"}},
		{User: &actor{"00u2", "User"}},
		{User: &actor{"00u3", "User"}, App: &actor{"0oa1", "AppInstance"}},
	}
	events, err := DecodeEventHook([]byte(membershipDelivery))
	if err != nil {
		t.Fatal(err)
	}
	var got []payload
	for _, ev := range events {
		var p payload
		if err := json.Unmarshal(ev.Payload, &p); err != nil {
			t.Fatalf("payload %s: %v", ev.Payload, err)
		}
		got = append(got, p)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("accessors (-want +got):\n%s", diff)
	}
	slow, err := decodeEnvelope([]byte(membershipDelivery))
	if err != nil || string(slow[0].Payload) != string(events[0].Payload) {
		t.Errorf("decoders differ: %s vs %s (%v)", slow[0].Payload, events[0].Payload, err)
	}
}

// TestReadTargetsTakesOktasTargets checks that splitDelivery picks the
// accessors of Okta's deliveries in its pass, not only that it agrees with
// encoding/json when it does: the fixtures' targets, and the membership
// events', are read there.
func TestReadTargetsTakesOktasTargets(t *testing.T) {
	bodies := withFixtures(t, map[string][]byte{"membership": []byte(membershipDelivery)})
	for name, body := range bodies {
		s := jsonscan.New(body)
		var n int
		var walk func() bool
		walk = func() bool {
			switch s.Peek() {
			case '{':
				return s.Object(func(key []byte, _ int) bool {
					if string(key) != "target" {
						return walk()
					}
					n++
					picks, ok := readTargets(&s)
					if !picks.read {
						t.Errorf("%s: target %d left to encoding/json", name, n)
					}
					return ok
				})
			case '[':
				return s.Array(func(int) bool { return walk() })
			}
			return s.Skip()
		}
		if !walk() || n == 0 {
			t.Errorf("%s: %d targets read", name, n)
		}
	}
}
