package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/cardflow/cardflow/connectors/okta"
	"github.com/google/go-cmp/cmp"
)

// The deliveries the harness sends are ones the real decoder accepts: one
// user.lifecycle.create event, its uuid the dedup key, the user its target.
func TestDeliveryDecodesAsAnOktaEventHook(t *testing.T) {
	u := makeUsers(1)[0]
	body := hookTemplate.appendTo(nil, map[string]string{
		"EVENTID": newUUID(), "TIME": "2026-11-20T09:14:02.871Z", "UUID": "2d4f8a1e-8b7c-41ef-9f2a-4f5c1b7d2e90",
		"USERID": u.ID, "LOGIN": u.Login, "NAME": u.First + " " + u.Last})
	events, err := okta.DecodeEventHook(body)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 1 {
		t.Fatalf("%d events, want 1", len(events))
	}
	if events[0].ID != "2d4f8a1e-8b7c-41ef-9f2a-4f5c1b7d2e90" || events[0].Type != "user.lifecycle.create" {
		t.Errorf("event %q of type %q", events[0].ID, events[0].Type)
	}
	var payload struct {
		Event struct {
			Target []struct{ ID, AlternateID string }
		}
	}
	if err := json.Unmarshal(events[0].Payload, &payload); err != nil {
		t.Fatal(err)
	}
	want := []struct{ ID, AlternateID string }{{u.ID, u.Login}}
	if diff := cmp.Diff(want, payload.Event.Target); diff != "" {
		t.Errorf("target (-want +got):\n%s", diff)
	}
}

func TestLatencyQuantiles(t *testing.T) {
	ns := make([]int64, 100)
	for i := range ns {
		ns[i] = int64(100-i) * int64(time.Millisecond) // unsorted on purpose
	}
	got := newLatency(ns)
	want := latency{N: 100, P50: 50, P90: 90, P99: 99, Max: 100}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(latency{}, newLatency(nil)); diff != "" {
		t.Errorf("empty (-want +got):\n%s", diff)
	}
}

func TestParseFlags(t *testing.T) {
	tests := []struct {
		args    []string
		wantErr string
		users   int
	}{
		{args: nil, users: 20000}, // open loop at 1000/s for 20s
		{args: []string{"-rate", "50", "-duration", "4s"}, users: 200},
		{args: []string{"-concurrency", "8", "-duration", "1s"}, users: 6000},
		{args: []string{"-rate", "5", "-concurrency", "5"}, wantErr: "not both"},
		{args: []string{"-seed", "ldap"}, wantErr: "-seed is file or api"},
		{args: []string{"-suite", "-rate", "5"}, wantErr: "-suite picks the rates"},
		{args: []string{"-reload-at", "30s", "-duration", "10s"}, wantErr: "-reload-at"},
		{args: []string{"-hold-read", "9s", "-duration", "10s"}, wantErr: "-hold-read"},
		{args: []string{"-hold-read", "2s", "-rate", "10", "-duration", "4s", "-postgres", "postgres://x@127.0.0.1/db"}, wantErr: "-hold-read is for the SQLite store"},
		{args: []string{"-hold-read", "2s", "-rate", "10", "-duration", "4s"}, users: 40},
		{args: []string{"-flow", "onboarding"}, wantErr: "-flow is request_approval or incident"},
		{args: []string{"-replicas", "3"}, wantErr: "-replicas needs -postgres"},
		{args: []string{"-replicas", "3", "-postgres", "postgres://x@127.0.0.1/db", "-rate", "10", "-duration", "1s"}, users: 10},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			o, err := parseFlags(tt.args)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := o.userCount(); got != tt.users {
				t.Errorf("users = %d, want %d", got, tt.users)
			}
		})
	}
}

func TestReadProcSelf(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	deadline := time.Now().Add(50 * time.Millisecond)
	for time.Now().Before(deadline) { // burn a little CPU
	}
	s, err := readProc("self")
	if err != nil {
		t.Fatal(err)
	}
	if !s.Valid || s.HWM <= 0 || s.RSS <= 0 || s.CPU <= 0 {
		t.Errorf("readProc(self) = %+v", s)
	}
}

// TestHarnessEndToEnd runs the harness against the built binary: a short
// open-loop run with a hot reload must verify, and leave no process behind.
func TestHarnessEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three processes")
	}
	bin := filepath.Join(t.TempDir(), "cardflow")
	build := exec.Command("go", "build", "-o", bin, "github.com/cardflow/cardflow/cmd/cardflow")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building cardflow: %v\n%s", err, out)
	}
	opts, err := parseFlags([]string{"-bin", bin, "-rate", "40", "-duration", "3s", "-reload-at", "1s", "-hold-read", "1s", "-q",
		"-dir", t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	kids := &children{}
	b := &bench{opts: opts, kids: kids, log: os.Stderr}
	res, err := b.run(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if !res.Verified() {
		t.Errorf("not verified: %v", res.Verdicts)
	}
	if res.Succeeded != 120 || res.IncidentsOK != 120 {
		t.Errorf("succeeded %d, incidents %d, want 120 each", res.Succeeded, res.IncidentsOK)
	}
	if res.Reload == nil || !res.Reload.Observed || res.Reload.NewHash == 0 {
		t.Errorf("reload = %+v, want the new generation observed and used", res.Reload)
	}
	// The reader begins 0.75 s in: at 40/s, some executions are in its
	// snapshot, and none of those after it.
	if h := res.HoldRead; h == nil || h.Error != "" || h.HeldS < 1 || h.Executions <= 0 || h.Executions >= 120 {
		t.Errorf("held reader = %+v, want a snapshot of some of the 120 executions held 1 s", h)
	}
	if res.Disk.WALMax <= 0 || res.Disk.DBBytes <= 0 || res.Disk.Executions != 120 {
		t.Errorf("disk = %+v, want the WAL seen, the file's size and its 120 executions", res.Disk)
	}
	noneLeft(t, kids)
}

func noneLeft(t *testing.T, kids *children) {
	t.Helper()
	for _, p := range kids.procs {
		select {
		case <-p.done:
		default:
			t.Errorf("%s (pid %d) still running", p.name, p.pid())
		}
	}
}

// TestHarnessOnPostgres runs the incident flow on the PostgreSQL store
// with three replicas sharing it, deliveries sent to each in turn: every
// delivery must have exactly one execution and one incident.
func TestHarnessOnPostgres(t *testing.T) {
	dsn := os.Getenv("CARDFLOW_TEST_POSTGRES")
	if testing.Short() || dsn == "" {
		t.Skip("needs a PostgreSQL server: CARDFLOW_TEST_POSTGRES (source .ci/postgres.sh)")
	}
	bin := filepath.Join(t.TempDir(), "cardflow")
	build := exec.Command("go", "build", "-o", bin, "github.com/cardflow/cardflow/cmd/cardflow")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building cardflow: %v\n%s", err, out)
	}
	opts, err := parseFlags([]string{"-bin", bin, "-rate", "30", "-duration", "3s", "-q", "-dir", t.TempDir(),
		"-flow", "incident", "-postgres", dsn, "-replicas", "3"})
	if err != nil {
		t.Fatal(err)
	}
	kids := &children{}
	b := &bench{opts: opts, kids: kids, log: os.Stderr}
	res, err := b.run(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if !res.Verified() || res.Succeeded != 90 || res.IncidentsOK != 90 {
		t.Errorf("succeeded %d, incidents %d, want 90 each; problems %v", res.Succeeded, res.IncidentsOK, res.Verdicts)
	}
	if len(b.engines) != 3 || !res.Postgres || res.Disk.DBBytes <= 0 {
		t.Errorf("%d engines, postgres %v, disk %+v: want 3 replicas on PostgreSQL and its growth", len(b.engines), res.Postgres, res.Disk)
	}
	noneLeft(t, kids)
}
