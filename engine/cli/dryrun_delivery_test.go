package cli_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// batchDelivery is an Okta event hook delivery of three events: two users
// created (00u8newUsEr1234abc0h7, then 00u8newUsEr5678def0h7) and a profile
// update, which request_approval's trigger does not list.
const batchDelivery = "testdata/event-hook-batch-mixed.json"

// deliveryReport is the part of a dry run's JSON report that says what
// became of each event of a delivery.
type deliveryReport struct {
	WouldSucceed bool            `json:"would_succeed"`
	Execution    json.RawMessage `json:"execution"`
	Events       []struct {
		ID           string `json:"id"`
		Type         string `json:"type"`
		Skipped      string `json:"skipped"`
		WouldSucceed *bool  `json:"would_succeed"`
		Execution    *struct {
			Status   string `json:"status"`
			Error    string `json:"error"`
			DedupKey string `json:"dedup_key"`
			Trigger  struct {
				Delivery struct {
					EventID string `json:"event_id"`
				} `json:"delivery"`
			} `json:"trigger"`
		} `json:"execution"`
		Writes []struct {
			Action string `json:"action"`
			Input  struct {
				Fields struct {
					CorrelationID string `json:"correlation_id"`
				} `json:"fields"`
			} `json:"input"`
		} `json:"intercepted_writes"`
	} `json:"events"`
}

func deliveryDryRun(t *testing.T, args ...string) (result, deliveryReport) {
	t.Helper()
	res, _ := dryRunReport(t, args...)
	var rep deliveryReport
	if err := json.Unmarshal([]byte(res.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	return res, rep
}

// eventOutcomes sums up each event of rep: its type, then whether it was
// skipped or how its execution ended, and the users its writes concern.
func eventOutcomes(rep deliveryReport) []string {
	var out []string
	for _, ev := range rep.Events {
		s := ev.ID + " " + ev.Type
		switch {
		case ev.Skipped != "":
			s += " skipped: " + ev.Skipped
		case ev.Execution == nil && ev.WouldSucceed != nil:
			s += fmt.Sprintf(" ran, would succeed: %t", *ev.WouldSucceed)
		default:
			s += " " + ev.Execution.Status
			if ev.WouldSucceed == nil || *ev.WouldSucceed != (ev.Execution.Status == "succeeded") {
				s += " (would_succeed disagrees)"
			}
			for _, w := range ev.Writes {
				s += " " + w.Action + "(" + w.Input.Fields.CorrelationID + ")"
			}
		}
		out = append(out, s)
	}
	return out
}

// TestDryRunRunsEveryEventOfADelivery: a dry run of a whole delivery runs
// the flow once per event its trigger takes, in order, each with its own
// execution and writes, and says which event it skipped and why, as
// cardflow run would start the executions.
func TestDryRunRunsEveryEventOfADelivery(t *testing.T) {
	args := []string{"request_approval", "--event", batchDelivery, "--seed", "testdata/dryrun-delivery-seed.json", "../../flows"}
	res, rep := deliveryDryRun(t, args...)
	if res.code != 0 || !rep.WouldSucceed {
		t.Fatalf("want a successful dry run:\n%s", res)
	}
	want := []string{
		"2d4f8a1e-8b7c-11ef-9f2a-4f5c1b7d2e90 user.lifecycle.create succeeded servicenow.create_record(00u8newUsEr1234abc0h7)",
		"2d4f8a1f-8b7c-11ef-9f2a-4f5c1b7d2e90 user.lifecycle.create succeeded servicenow.create_record(00u8newUsEr5678def0h7)",
		"2d4f8a20-8b7c-11ef-9f2a-4f5c1b7d2e90 user.account.update_profile skipped: the trigger of request_approval does not list type user.account.update_profile",
	}
	if diff := cmp.Diff(want, eventOutcomes(rep)); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	if rep.Execution != nil {
		t.Errorf("two executions ran, yet the report has one at its top level: %s", rep.Execution)
	}
	for _, ev := range rep.Events[:min(2, len(rep.Events))] {
		// The trigger value is the one cardflow run stores: the
		// delivery's fields too, and the event's uuid as its key.
		if ev.Execution == nil || ev.Execution.DedupKey != ev.ID || ev.Execution.Trigger.Delivery.EventID != "7a2b9c10-1d3e-4f50-8a6b-7c8d9e0f1a2b" {
			t.Errorf("event %s ran as %+v, want the event's uuid as key and the delivery's eventId in trigger.delivery", ev.ID, ev.Execution)
		}
	}

	text := run(t, dryRunEnv, append([]string{"dry-run"}, args...)...)
	if text.code != 0 {
		t.Fatalf("want exit 0:\n%s", text)
	}
	wantInOrder(t, text.stdout,
		"The delivery has 3 events; the trigger of request_approval takes 2. Each runs as its own execution, in order, against the same emulators.",
		"── event 1 of 3: 2d4f8a1e-8b7c-11ef-9f2a-4f5c1b7d2e90 (user.lifecycle.create) ──",
		`"correlation_id":"00u8newUsEr1234abc0h7"`,
		"The flow would end succeeded.",
		"── event 2 of 3: 2d4f8a1f-8b7c-11ef-9f2a-4f5c1b7d2e90 (user.lifecycle.create) ──",
		`"correlation_id":"00u8newUsEr5678def0h7"`,
		"The flow would end succeeded.",
		"── event 3 of 3: 2d4f8a20-8b7c-11ef-9f2a-4f5c1b7d2e90 (user.account.update_profile) ──",
		"Skipped: the trigger of request_approval does not list type user.account.update_profile; cardflow run would start no execution for it.",
		"Of the delivery's 3 events, 2 would start an execution (2 would succeed, 0 would fail) and 1 would not.",
	)
}

// wantInOrder fails t unless out holds each of wants, one after another.
func wantInOrder(t *testing.T, out string, wants ...string) {
	t.Helper()
	rest := out
	for _, w := range wants {
		i := strings.Index(rest, w)
		if i < 0 {
			t.Fatalf("the report lacks %q after what came before:\n%s", w, out)
		}
		rest = rest[i+len(w):]
	}
}

// TestDryRunDeliveryWithAFailingEvent: one event's execution would fail
// (the seed lacks its user): the others still run, the report says which
// failed, and the dry run exits 1.
func TestDryRunDeliveryWithAFailingEvent(t *testing.T) {
	args := []string{"request_approval", "--event", batchDelivery, "--seed", "testdata/dryrun-seed.json", "../../flows"}
	res, rep := deliveryDryRun(t, args...)
	if res.code != 1 || rep.WouldSucceed {
		t.Fatalf("want exit 1:\n%s", res)
	}
	got := eventOutcomes(rep)
	if len(got) != 3 {
		t.Fatalf("events: %q, want all three of the delivery's", got)
	}
	if !strings.HasSuffix(got[0], "succeeded servicenow.create_record(00u8newUsEr1234abc0h7)") ||
		!strings.HasSuffix(got[1], "user.lifecycle.create failed") || !strings.Contains(got[2], "skipped") {
		t.Errorf("events: %q, want the first succeeded, the second failed without writes, the third skipped", got)
	}
	if e := rep.Events[1].Execution; e == nil || !strings.Contains(e.Error, "00u8newUsEr5678def0h7") {
		t.Errorf("the failed execution does not name the user the seed lacks: %+v", e)
	}
	text := run(t, dryRunEnv, append([]string{"dry-run"}, args...)...)
	if text.code != 1 {
		t.Fatalf("want exit 1:\n%s", text)
	}
	wantInOrder(t, text.stdout, "── event 1 of 3", "The flow would end succeeded.",
		"── event 2 of 3", "The flow would fail: card read_user", "── event 3 of 3", "Skipped:",
		"Of the delivery's 3 events, 2 would start an execution (1 would succeed, 1 would fail) and 1 would not.")
}

// TestDryRunDeliveryAsRunTakesIt: a delivery is checked as cardflow run
// checks it before it runs anything. A delivery whose events the trigger
// takes none of, one with an event run would refuse (even one the trigger
// does not take), or one that is no delivery exit 2 with nothing run; an
// event repeated in the delivery starts one execution.
func TestDryRunDeliveryAsRunTakesIt(t *testing.T) {
	const head = `{"eventType": "com.okta.event_hook", "eventId": "d1", "data": {"events": [`
	created := `{"uuid": "u1", "eventType": "user.lifecycle.create", "target": [{"id": "00u8newUsEr1234abc0h7", "type": "User"}]}`
	updated := `{"uuid": "u2", "eventType": "user.account.update_profile", "target": [{"id": "00u8newUsEr1234abc0h7", "type": "User"}]}`
	dir := t.TempDir()
	file := func(name, events string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(head+events+`]}}`), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	for name, tc := range map[string]struct {
		events string
		stderr []string
	}{
		"none taken":           {updated, []string{"no event in the delivery matches the trigger of request_approval", "user.account.update_profile only"}},
		"empty":                {``, []string{"no event in the delivery matches", "no events"}},
		"refused event":        {created + `, {"uuid": "u2", "eventType": "user.account.update_profile"}`, []string{"event 2 of 2 (u2)", "trigger.event.target is missing", "400 Bad Request"}},
		"refused taken event":  {`{"uuid": "u1", "eventType": "user.lifecycle.create"}`, []string{"event 1 of 1 (u1)", "trigger.event.target is missing"}},
		"event without a uuid": {created + `, {"eventType": "user.lifecycle.create", "target": []}`, []string{"is not a delivery the okta.event_hook trigger can take", "data.events[1]", "uuid"}},
	} {
		t.Run(name, func(t *testing.T) {
			res := run(t, dryRunEnv, "dry-run", "request_approval", "--event", file(strings.ReplaceAll(name, " ", "-")+".json", tc.events),
				"--seed", "testdata/dryrun-seed.json", "../../flows")
			if res.code != 2 || res.stdout != "" {
				t.Fatalf("want exit 2 before anything runs:\n%s", res)
			}
			for _, want := range tc.stderr {
				if !strings.Contains(res.stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, res)
				}
			}
		})
	}

	res, rep := deliveryDryRun(t, "request_approval", "--event", file("repeated.json", created+", "+updated+", "+created),
		"--seed", "testdata/dryrun-seed.json", "../../flows")
	if res.code != 0 {
		t.Fatalf("want exit 0:\n%s", res)
	}
	want := []string{
		"u1 user.lifecycle.create ran, would succeed: true",
		"u2 user.account.update_profile skipped: the trigger of request_approval does not list type user.account.update_profile",
		"u1 user.lifecycle.create skipped: it repeats event 1 (uuid u1), which starts the one execution",
	}
	if diff := cmp.Diff(want, eventOutcomes(rep)); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	// One execution ran: the report has it, and its one write, at its
	// top level, as for a trigger value, and nowhere else.
	_, top := dryRunReport(t, "request_approval", "--event", filepath.Join(dir, "repeated.json"), "--seed", "testdata/dryrun-seed.json", "../../flows")
	if top.Execution.Status != "succeeded" || len(top.Writes) != 1 || strings.Count(res.stdout, `"action": `) != 1 {
		t.Errorf("want the one execution and its one write at the top level only:\n%s", res.stdout)
	}
}

// TestDryRunDeliveryEventsShareTheEmulators: the executions of one
// delivery run against the same emulators, as cardflow run's run against
// one tenant: the second of two events for one user finds them in the
// group the first added them to, so its conditioned card does not run.
func TestDryRunDeliveryEventsShareTheEmulators(t *testing.T) {
	event := func(uuid string) string {
		return `{"uuid": "` + uuid + `", "eventType": "user.lifecycle.create", "target": [{"id": "00u1kari0nordmann0h7", "type": "User"}]}`
	}
	path := filepath.Join(t.TempDir(), "twice.json")
	if err := os.WriteFile(path, []byte(`{"eventType": "com.okta.event_hook", "data": {"events": [`+event("u1")+`, `+event("u2")+`]}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	res, _ := dryRunReport(t, "welcome", "--event", path, "--seed", "testdata/welcome/seed.json", welcomeWith(t, "Employees"))
	var rep struct {
		Events []struct {
			Execution struct {
				Cards []struct{ Card, Status string }
			} `json:"execution"`
		} `json:"events"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if res.code != 0 || len(rep.Events) != 2 {
		t.Fatalf("want two executions that would succeed:\n%s", res)
	}
	var got []string
	for _, ev := range rep.Events {
		for _, c := range ev.Execution.Cards {
			if c.Card == "note" {
				got = append(got, c.Status)
			}
		}
	}
	if diff := cmp.Diff([]string{"ok", "skipped"}, got); diff != "" {
		t.Errorf("the note card of each execution (-want +got):\n%s", diff)
	}
}
