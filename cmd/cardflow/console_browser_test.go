package main

import (
	"context"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cardflow/cardflow/connectors/core"
	"github.com/cardflow/cardflow/connectors/okta"
	"github.com/cardflow/cardflow/connectors/servicenow"
	"github.com/cardflow/cardflow/engine"
	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/console"
	"github.com/cardflow/cardflow/engine/lang"
	"github.com/cardflow/cardflow/engine/store"
	"github.com/cardflow/cardflow/engine/store/memory"
	"github.com/cardflow/cardflow/flows"
)

// consoleHistory is an open console (as on loopback without tokens) over a
// memory store and the onboarding flows, with the history an admin sees
// after ServiceNow was down for a while: a request_approval execution
// whose incident card failed three times with backoffs between, and one
// that succeeded.
type consoleHistory struct {
	url               string
	st                store.Store
	failed, succeeded string
}

func newConsoleHistory(t *testing.T) *consoleHistory {
	t.Helper()
	dir := t.TempDir()
	if err := flows.WriteOnboarding(dir); err != nil {
		t.Fatal(err)
	}
	reg := connector.NewRegistry(append(core.Connectors(), okta.New(), servicenow.New())...)
	gen, _, diags := engine.Load([]string{dir}, engine.LoadOptions{Registry: reg, Mode: lang.Live,
		Host: lang.Host{LookupEnv: func(string) (string, bool) { return "http://127.0.0.1:1", true }}})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	st := memory.New()
	t.Cleanup(func() { st.Close() })
	ctx := context.Background()
	h := &consoleHistory{st: st}
	terms := []string{"00u1adm1nemu1at0r0h7", "00uv24wv7njisgmqb0h7", "admin@okta.emulator", "f9353264-5e63-46f9-a6d4-496543b377ef",
		"failing fiona", "fiona.fail@acme.example", "okta emulator admin", "z2yz5e1xqcbagxw6tle4zo1eql6"}
	t0 := time.Now().UTC().Add(-20 * time.Second)
	for _, ex := range []struct {
		id     *string
		status store.Status
	}{{&h.failed, store.Failed}, {&h.succeeded, store.Succeeded}} {
		res, err := st.Enqueue(ctx, []store.Event{{Flow: "request_approval", DedupKey: string(ex.status), Terms: terms,
			Payload: []byte(`{"event":{"eventType":"user.lifecycle.create","target":[{"id":"00uv24wv7njisgmqb0h7"}]}}`)}}, store.EnqueueOptions{})
		if err != nil {
			t.Fatal(err)
		}
		id := res[0].ID
		*ex.id = id
		entry := func(card string, n int, at time.Duration, status store.EntryStatus) store.JournalEntry {
			e := store.JournalEntry{ExecutionID: id, Card: card, Attempt: n, Status: status, Input: []byte(`{"user":"00uv24wv7njisgmqb0h7"}`),
				StartedAt: t0.Add(at), EndedAt: t0.Add(at + 2*time.Millisecond)}
			switch status {
			case store.EntryError:
				e.Error, e.ErrorKind = `servicenow.create_record: request failed: Get "http://127.0.0.1:18182/api/now/table/incident?…": dial tcp 127.0.0.1:18182: connect: connection refused`, "transient"
			case store.EntryWaiting:
				e.Input, e.EndedAt = nil, e.StartedAt
				e.Output = []byte(`{"reason":"retry","until":"` + t0.Add(at+8*time.Second).Format(time.RFC3339Nano) + `"}`)
			default:
				e.Output = []byte(`{"id":"00uv24wv7njisgmqb0h7"}`)
			}
			return e
		}
		journal := []store.JournalEntry{entry("read_user", 1, 0, store.EntryOK), entry("description", 1, 5*time.Millisecond, store.EntryOK)}
		errMsg := ""
		if ex.status == store.Failed {
			journal = append(journal, entry("incident", 1, 10*time.Millisecond, store.EntryError), entry("incident", 2, 20*time.Millisecond, store.EntryWaiting),
				entry("incident", 2, 8*time.Second, store.EntryError), entry("incident", 3, 8*time.Second+10*time.Millisecond, store.EntryWaiting),
				entry("incident", 3, 16*time.Second, store.EntryError))
			errMsg = "card incident: " + journal[len(journal)-1].Error + " (gave up after 3 attempts over 16s: the retry budget (attempts = 3) is spent)"
		} else {
			journal = append(journal, entry("incident", 1, 10*time.Millisecond, store.EntryOK), entry("remember", 1, 20*time.Millisecond, store.EntryOK))
		}
		if err := st.Finish(ctx, id, ex.status, nil, errMsg, journal...); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.TablePut(ctx, "approvals", "00uv24wv7njisgmqb0h7", []byte(`{"user_id":"00uv24wv7njisgmqb0h7","login":"fiona.fail@acme.example",`+
		`"incident":"INC0010001","sys_id":"929b7a840971335ec7661f58da3a4291","status":"pending"}`)); err != nil {
		t.Fatal(err)
	}
	// Two replays in the audit log: one refused with a long reason, one
	// that went ahead.
	src := &engine.ConsoleSource{Store: st, Generation: gen}
	for i, e := range []console.AuditEntry{
		{Who: "viewer-dashboard-token", Role: "view", Action: "replay", Target: h.failed, Detail: "from the failed card",
			Outcome: "refused: Replaying needs the operate role; viewer-dashboard-token has view.", Remote: "192.0.2.17:53122"},
		{Who: "oncall-operator", Role: "operate", Action: "replay", Target: h.failed, Detail: "from card incident, forced",
			Outcome: "ok", Remote: "[2001:db8::1]:61000"},
	} {
		e.At = t0.Add(time.Duration(i+1) * time.Second)
		if err := src.Audit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(console.New(console.Options{Source: src}))
	t.Cleanup(srv.Close)
	h.url = srv.URL + "/ui"
	return h
}

// TestConsoleNarrowScreen: at 400 px wide (a phone) no page of the console
// is wider than the screen: wide tables scroll within themselves, and long
// errors and ids wrap. Search boxes show their placeholder in full. A list
// of executions shows each in a compact block of at most 120 px, its error
// and About terms cut short on screen but whole in their title attributes,
// while a wide screen keeps the table with the terms in full.
func TestConsoleNarrowScreen(t *testing.T) {
	h := newConsoleHistory(t)
	b := newBrowser(t)
	b.do("a narrow screen", chromedp.EmulateViewport(400, 800))
	for _, page := range []struct{ path, name string }{{"/", "flows"}, {"/flows/request_approval", "flow"}, {"/executions", "executions"},
		{"/executions/" + h.failed, "execution"}, {"/tables/approvals", "table"}, {"/health", "health"}, {"/audit", "audit"}} {
		b.do("opening "+page.path, chromedp.Navigate(h.url+page.path), chromedp.WaitVisible(chromedp.CSS(`main h1`)))
		// Every card, the trigger and the chart's table open.
		b.eval(`document.querySelectorAll("details").forEach(d => d.open = true) === undefined`)
		if !b.eval(`document.documentElement.scrollWidth <= document.documentElement.clientWidth`) {
			t.Errorf("%s at 400 px is %s px wide", page.path, b.evalString(`String(document.documentElement.scrollWidth)`))
		}
		if cut := b.evalString(cutPlaceholders); cut != "" {
			t.Errorf("%s at 400 px cuts off the placeholder of %s", page.path, cut)
		}
		// A list of executions shows several to a screen, each whole
		// in its title attributes and on its own page.
		if n := b.count(`[data-testid=executions] tbody tr`); n > 0 {
			if n != 2 {
				t.Errorf("%s lists %d executions, want 2", page.path, n)
			}
			if tall := b.evalString(tallRows); tall != "" {
				t.Errorf("%s at 400 px has executions taller than 120 px: %s", page.path, tall)
			}
			for sel, want := range map[string]string{
				`[data-testid=executions] td.terms`:     "z2yz5e1xqcbagxw6tle4zo1eql6",
				`[data-testid=executions] td.st .error`: "card incident: servicenow.create_record",
			} {
				if !b.eval(`[...document.querySelectorAll(` + strconv.Quote(sel) + `)].some(e => e.title.includes(` + strconv.Quote(want) + `))`) {
					t.Errorf("%s at 400 px: no %s has %q in its title", page.path, sel, want)
				}
			}
			if !b.eval(`[...document.querySelectorAll("[data-testid=executions] tbody tr a")].every(a => {
				const r = a.getBoundingClientRect(); return r.width > 0 && r.left >= 0 && r.right <= document.documentElement.clientWidth; })`) {
				t.Errorf("%s at 400 px: an execution's link is not on the screen", page.path)
			}
		}
		// The audit log shows each action in a compact block too, its
		// outcome whole in its title attribute.
		if n := b.count(`[data-testid=audit] tbody tr`); n > 0 {
			if n != 2 {
				t.Errorf("%s lists %d actions, want 2", page.path, n)
			}
			if tall := b.evalString(tallAuditRows); tall != "" {
				t.Errorf("%s at 400 px has actions taller than 120 px: %s", page.path, tall)
			}
			if !b.eval(`[...document.querySelectorAll("[data-testid=audit] td.outcome")].some(e => e.title.includes("refused: Replaying needs the operate role; viewer-dashboard-token has view."))`) {
				t.Errorf("%s at 400 px: no outcome has the whole refusal in its title", page.path)
			}
			if !b.eval(`[...document.querySelectorAll("[data-testid=audit] tbody tr a")].every(a => {
				const r = a.getBoundingClientRect(); return r.width > 0 && r.left >= 0 && r.right <= document.documentElement.clientWidth; })`) {
				t.Errorf("%s at 400 px: an action's execution link is not on the screen", page.path)
			}
			// Nothing needs scrolling sideways, not even within the table.
			if !b.eval(`[...document.querySelectorAll(".scroll")].every(d => d.scrollWidth <= d.clientWidth)`) {
				t.Errorf("%s at 400 px scrolls the audit log sideways", page.path)
			}
		}
		// A table's rows stack their values, each after its column's
		// name, so nothing scrolls sideways and every value is whole.
		if n := b.count(`[data-testid=rows] tbody tr`); n > 0 {
			if !b.eval(`[...document.querySelectorAll(".scroll")].every(d => d.scrollWidth <= d.clientWidth)`) {
				t.Errorf("%s at 400 px scrolls the rows sideways", page.path)
			}
			if got := b.evalString(`[...document.querySelectorAll("[data-testid=rows] td")].filter(td => {
				const r = td.getBoundingClientRect(); return r.width > 0 && r.right <= document.documentElement.clientWidth; }).map(td => [...td.childNodes].map(n => n.textContent).join(" ")).join(" | ")`); !strings.Contains(got, "login fiona.fail@acme.example") ||
				!strings.Contains(got, "sys_id 929b7a840971335ec7661f58da3a4291") {
				t.Errorf("%s at 400 px shows the values %q, want each login and sys_id on the screen after its column's name", page.path, got)
			}
		}
		// The health page's counts per minute likewise, each after its
		// status.
		if page.name == "health" {
			if n := b.count(`[data-testid=activity] tbody tr`); n != 1 {
				t.Errorf("%s has %d minutes in the counts per minute, want 1", page.path, n)
			}
			if !b.eval(`[...document.querySelectorAll(".scroll")].every(d => d.scrollWidth <= d.clientWidth)`) {
				t.Errorf("%s at 400 px scrolls the counts per minute sideways", page.path)
			}
			if got := b.evalString(`[...document.querySelectorAll("[data-testid=activity] td")].filter(td => {
				const r = td.getBoundingClientRect(); return r.width > 0 && r.right <= document.documentElement.clientWidth; }).map(td => [...td.childNodes].map(n => n.textContent).join(" ")).join(" | ")`); !strings.Contains(got, "succeeded 1") ||
				!strings.Contains(got, "failed 1") || !strings.Contains(got, "pending 0") {
				t.Errorf("%s at 400 px shows the counts %q, want each on the screen after its status", page.path, got)
			}
		}
		b.screenshot("console-narrow-" + page.name)
	}
	// On a wide screen too.
	b.do("a wide screen", chromedp.EmulateViewport(1280, 800), chromedp.Navigate(h.url+"/executions"), chromedp.WaitVisible(chromedp.CSS(`main h1`)))
	if cut := b.evalString(cutPlaceholders); cut != "" {
		t.Errorf("/executions at 1280 px cuts off the placeholder of %s", cut)
	}
	// The wide list stays a table, the About terms in full.
	if !b.eval(`[...document.querySelectorAll("[data-testid=executions] tbody tr")].every(tr => getComputedStyle(tr).display === "table-row")`) {
		t.Error("/executions at 1280 px does not show the executions as a table")
	}
	if !b.eval(`[...document.querySelectorAll("[data-testid=executions] td.terms")].every(td => td.scrollWidth <= td.clientWidth && td.scrollHeight <= td.clientHeight)`) {
		t.Error("/executions at 1280 px cuts the About terms short")
	}
	b.screenshot("console-wide-executions")
	// The wide audit log stays a table too, the outcomes in full.
	b.do("the wide audit log", chromedp.Navigate(h.url+"/audit"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=audit]`)))
	if !b.eval(`[...document.querySelectorAll("[data-testid=audit] tbody tr")].every(tr => getComputedStyle(tr).display === "table-row")`) {
		t.Error("/audit at 1280 px does not show the actions as a table")
	}
	if !b.eval(`[...document.querySelectorAll("[data-testid=audit] td")].every(td => td.scrollWidth <= td.clientWidth && td.scrollHeight <= td.clientHeight)`) {
		t.Error("/audit at 1280 px cuts an action short")
	}
	b.screenshot("console-wide-audit")
	// A wide table's rows stay a table, the column names only in its header.
	b.do("the wide rows", chromedp.Navigate(h.url+"/tables/approvals"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=rows]`)))
	if !b.eval(`[...document.querySelectorAll("[data-testid=rows] tbody tr")].every(tr => getComputedStyle(tr).display === "table-row")`) {
		t.Error("/tables/approvals at 1280 px does not show the rows as a table")
	}
	if !b.eval(`[...document.querySelectorAll("[data-testid=rows] td .label")].every(l => l.getBoundingClientRect().width === 0)`) {
		t.Error("/tables/approvals at 1280 px repeats the column names in the rows")
	}
	b.screenshot("console-wide-table")
	b.do("the wide health page", chromedp.Navigate(h.url+"/health"), chromedp.WaitVisible(chromedp.CSS(`main h1`)))
	b.eval(`document.querySelectorAll("details").forEach(d => d.open = true) === undefined`)
	if !b.eval(`[...document.querySelectorAll("[data-testid=activity] tbody tr")].every(tr => getComputedStyle(tr).display === "table-row")`) {
		t.Error("/health at 1280 px does not show the counts per minute as a table")
	}
	if !b.eval(`[...document.querySelectorAll("[data-testid=activity] td .label")].every(l => l.getBoundingClientRect().width === 0)`) {
		t.Error("/health at 1280 px repeats the statuses in the counts per minute")
	}
	b.screenshot("console-wide-health")
	b.noErrors()
}

// tallRows is a JavaScript expression: the heights of the executions
// listed taller than 120 px, "" when none is.
const tallRows = `[...document.querySelectorAll("[data-testid=executions] tbody tr")].map(tr => tr.getBoundingClientRect().height).
	filter(h => h > 120).map(h => Math.round(h) + " px").join(", ")`

// tallAuditRows is a JavaScript expression: the heights of the audit
// log's actions taller than 120 px, "" when none is.
const tallAuditRows = `[...document.querySelectorAll("[data-testid=audit] tbody tr")].map(tr => tr.getBoundingClientRect().height).
	filter(h => h > 120).map(h => Math.round(h) + " px").join(", ")`

// cutPlaceholders is a JavaScript expression: the ids of the page's
// inputs too narrow to show their placeholder in full, "" when none is.
const cutPlaceholders = `Array.from(document.querySelectorAll("input[placeholder]")).filter(i => {
	const cs = getComputedStyle(i), ctx = document.createElement("canvas").getContext("2d");
	ctx.font = cs.font;
	return ctx.measureText(i.placeholder).width > i.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
}).map(i => "#" + i.id).join(", ")`

// evalString evaluates a JavaScript expression to a string.
func (b *browser) evalString(expr string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, waitFor)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
	if err != nil {
		b.t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

// TestConsoleTimelineBarsLineUp: on an execution page every card's bar
// spans the same column, whether or not the card was retried, so that
// the bars compare as the timeline they are.
func TestConsoleTimelineBarsLineUp(t *testing.T) {
	h := newConsoleHistory(t)
	b := newBrowser(t)
	b.do("opening the failed execution", chromedp.Navigate(h.url+"/executions/"+h.failed), chromedp.WaitVisible(chromedp.CSS(`[data-testid=timeline]`)))
	if n := b.count(`[data-testid=timeline] svg.bar`); n != 3 {
		t.Fatalf("the timeline has %d bars, want 3 (read_user, description, incident)", n)
	}
	if !b.eval(`(() => {
		const r = [...document.querySelectorAll("[data-testid=timeline] svg.bar")].map(s => s.getBoundingClientRect());
		return r.every(x => Math.abs(x.left - r[0].left) < 1 && Math.abs(x.width - r[0].width) < 1);
	})()`) {
		t.Errorf("the cards' bars do not line up: %s", b.evalString(`JSON.stringify([...document.querySelectorAll("[data-testid=timeline] svg.bar")].map(s => { const r = s.getBoundingClientRect(); return [Math.round(r.left), Math.round(r.width)]; }))`))
	}
	b.screenshot("console-timeline")
	b.noErrors()
}

// TestConsoleReplayFormFollowsTheExecution: an operator watching an
// execution that fails gets the replay form as the page updates, without
// reloading it; the form belongs to what the page follows.
func TestConsoleReplayFormFollowsTheExecution(t *testing.T) {
	h := newConsoleHistory(t)
	ctx := context.Background()
	res, err := h.st.Enqueue(ctx, []store.Event{{Flow: "request_approval", DedupKey: "watched", Payload: []byte(`{"event":{}}`)}}, store.EnqueueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	id := res[0].ID
	b := newBrowser(t)
	b.do("opening the pending execution", chromedp.Navigate(h.url+"/executions/"+id), chromedp.WaitVisible(chromedp.CSS(`[data-testid=status]`)))
	if n := b.count(`[data-testid=replay-form]`); n != 0 {
		t.Fatalf("a pending execution shows %d replay forms", n)
	}
	deadline := time.Now().Add(waitFor)
	for !b.eval(`document.documentElement.dataset.live === "on"`) {
		if time.Now().After(deadline) {
			t.Fatal("the page does not follow the store")
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.eval(`(window.cardflowMark = 1) === 1`)
	now := time.Now().UTC()
	if err := h.st.Finish(ctx, id, store.Failed, nil, "card read_user: okta.read_user: HTTP 403", store.JournalEntry{ExecutionID: id, Card: "read_user",
		Attempt: 1, Status: store.EntryError, Error: "okta.read_user: HTTP 403", ErrorKind: "permission", StartedAt: now, EndedAt: now}); err != nil {
		t.Fatal(err)
	}
	for b.text(`[data-testid=status]`) != "failed" {
		if time.Now().After(deadline) {
			t.Fatal("the page did not show the execution failing")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !b.eval(`window.cardflowMark === 1`) {
		t.Fatal("the execution page reloaded instead of updating in place")
	}
	if n := b.count(`[data-testid=replay-form]`); n != 1 {
		t.Errorf("the failed execution shows %d replay forms without a reload, want 1", n)
	}
	b.noErrors()
}

// openLiveExecutions opens the executions list of the console at url and
// waits until it follows the store. It returns the deadline it waited
// against, which the caller's next waits share.
func openLiveExecutions(t *testing.T, b *browser, url string) time.Time {
	t.Helper()
	b.do("opening the executions", chromedp.Navigate(url+"/executions"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=executions]`)))
	deadline := time.Now().Add(waitFor)
	for !b.eval(`document.documentElement.dataset.live === "on"`) {
		if time.Now().After(deadline) {
			t.Fatal("the list does not follow the store")
		}
		time.Sleep(50 * time.Millisecond)
	}
	return deadline
}

// TestConsoleOlderAfterLiveUpdate: when new executions arrive while the
// first page of the list is open, the page updates in place, and its
// "Older" link then goes on from the last execution it shows: none is
// skipped between the pages.
func TestConsoleOlderAfterLiveUpdate(t *testing.T) {
	h := newConsoleHistory(t)
	ctx := context.Background()
	// enqueue adds n executions and returns the id of the newest.
	enqueue := func(prefix string, n int) (newest string) {
		for i := range n {
			res, err := h.st.Enqueue(ctx, []store.Event{{Flow: "request_approval", DedupKey: prefix + strconv.Itoa(i), Payload: []byte(`{"event":{}}`)}},
				store.EnqueueOptions{})
			if err != nil {
				t.Fatal(err)
			}
			newest = res[0].ID
		}
		return newest
	}
	enqueue("before", 60)
	b := newBrowser(t)
	deadline := openLiveExecutions(t, b, h.url)
	newest := enqueue("after", 10)
	for b.text(`[data-testid=executions] tbody tr:first-child a`) != newest {
		if time.Now().After(deadline) {
			t.Fatal("the list did not show the new executions")
		}
		time.Sleep(100 * time.Millisecond)
	}
	last := b.text(`[data-testid=executions] tbody tr:last-child a`)
	b.do("following Older", chromedp.Click(chromedp.CSS(`.pager a[rel=next]`)))
	b.waitLoaded("before=")
	b.do("reading the older page", chromedp.WaitVisible(chromedp.CSS(`[data-testid=executions]`)))
	next := b.text(`[data-testid=executions] tbody tr:first-child a`)
	all, err := h.st.Executions(ctx, store.Filter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(all))
	for i, ex := range all {
		ids[i] = ex.ID
	}
	i, j := slices.Index(ids, last), slices.Index(ids, next)
	if i < 0 || j != i+1 {
		t.Errorf("the first page ends with execution #%d and the older page starts with #%d: %d executions were skipped", i+1, j+1, j-i-1)
	}
	b.noErrors()
}
