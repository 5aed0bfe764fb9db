package main

import (
	"context"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/cardflow/cardflow/engine/store"
)

// shownTime is a time as a console page shows it.
type shownTime struct {
	Datetime, Text, Title, Format string
}

// shownTimes are the page's <time> elements; chartLabels the chart's
// labels that carry a time (data-datetime).
const shownTimes = `JSON.stringify([...document.querySelectorAll("time[datetime]")].map(t =>
	({Datetime: t.getAttribute("datetime"), Text: t.textContent, Title: t.title, Format: t.dataset.format || ""})))`

const chartLabels = `JSON.stringify([...document.querySelectorAll("[data-datetime]")].map(t =>
	({Datetime: t.getAttribute("data-datetime"), Text: t.textContent, Format: t.dataset.format || ""})))`

// inZone sets the tab's time zone, and its locale so that the zone's name
// is the one Go gives it (EST, PST).
func (b *browser) inZone(zone string) {
	b.t.Helper()
	b.do("the time zone "+zone, chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		if _, err := chromedp.Call(ctx, emulation.SetLocaleOverride, emulation.SetLocaleOverrideParams{Locale: "en-US"}); err != nil {
			return err
		}
		_, err := chromedp.Call(ctx, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: zone})
		return err
	}))
}

func (b *browser) times(expr string) []shownTime {
	b.t.Helper()
	var out []shownTime
	if err := json.Unmarshal([]byte(b.evalString(expr)), &out); err != nil {
		b.t.Fatalf("reading the times: %v", err)
	}
	return out
}

// checkLocal checks that each time reads as local time in loc, named, with
// the UTC text the server wrote in its title, and returns the texts.
func checkLocal(t *testing.T, page string, times []shownTime, loc *time.Location) []string {
	t.Helper()
	var texts []string
	for _, s := range times {
		at, err := time.Parse(time.RFC3339Nano, s.Datetime)
		if err != nil || at.Location() != time.UTC {
			t.Errorf("%s: datetime %q is not an RFC 3339 time in UTC", page, s.Datetime)
			continue
		}
		layout := "2006-01-02 15:04:05.000 MST"
		switch s.Format {
		case "minute":
			layout = "15:04 MST"
		case "hm": // a chart label: it starts with the time, no zone
			if want := at.In(loc).Format("15:04"); !strings.HasPrefix(s.Text, want) {
				t.Errorf("%s: the chart label %q for %s does not start with %s", page, s.Text, s.Datetime, want)
			}
			texts = append(texts, s.Text)
			continue
		}
		if want := at.In(loc).Format(layout); s.Text != want {
			t.Errorf("%s: the time %s reads %q, want %q", page, s.Datetime, s.Text, want)
		}
		if want := at.Format(strings.Replace(layout, "MST", "UTC", 1)); s.Title != want {
			t.Errorf("%s: the time %s has the title %q, want the UTC time %q", page, s.Datetime, s.Title, want)
		}
		texts = append(texts, s.Text)
	}
	return texts
}

// TestConsoleLocalTimes: every time the console shows (the executions
// list, an execution and its timeline, the audit log, the health page's
// counts and chart) reads in the browser's time zone, named, with the UTC
// time in its title; another zone shows other times. Times that a live
// page fetches again read the same way.
func TestConsoleLocalTimes(t *testing.T) {
	h := newConsoleHistory(t)
	b := newBrowser(t)
	pages := []struct {
		path string
		min  int // at least this many times
	}{{"/executions", 2}, {"/executions/" + h.failed, 10}, {"/audit", 2}, {"/health", 1}}
	shown := map[string][]string{}
	for _, zone := range []string{"America/New_York", "America/Los_Angeles"} {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Skipf("no time zone data: %v", err)
		}
		b.inZone(zone)
		for _, page := range pages {
			b.do("opening "+page.path, chromedp.Navigate(h.url+page.path), chromedp.WaitVisible(chromedp.CSS(`main h1`)))
			times := b.times(shownTimes)
			if len(times) < page.min {
				t.Errorf("%s in %s shows %d times, want at least %d", page.path, zone, len(times), page.min)
			}
			texts := checkLocal(t, zone+" "+page.path, times, loc)
			if page.path == "/health" {
				// cardflow console loads no generation: it says when none was.
				if got := b.text(`[data-testid=reload] p`); got != "Generation 1." {
					t.Errorf("the health page's reload status reads %q, want %q", got, "Generation 1.")
				}
				labels := b.times(chartLabels)
				if len(labels) < 7 { // 6 axis labels and a bar
					t.Errorf("the chart has %d labels with a time, want 7 or more", len(labels))
				}
				texts = append(texts, checkLocal(t, zone+" chart", labels, loc)...)
				if got, want := b.text(`[data-testid=chart-zone]`), time.Now().In(loc).Format("MST"); got != want {
					t.Errorf("the chart names the zone %q in %s, want %q", got, zone, want)
				}
			}
			key := page.path
			if prev, ok := shown[key]; ok && strings.Join(prev, "|") == strings.Join(texts, "|") {
				t.Errorf("%s shows the same times in %s as in New York: %q", page.path, zone, texts)
			}
			shown[key] = texts
			b.screenshot("console-time-" + strings.ReplaceAll(strings.Trim(zone+page.path, "/"), "/", "-"))
		}
	}

	// A list that follows the store shows the new execution's time in the
	// browser's zone too.
	loc, _ := time.LoadLocation("America/Los_Angeles")
	deadline := openLiveExecutions(t, b, h.url)
	res, err := h.st.Enqueue(context.Background(), []store.Event{{Flow: "request_approval", DedupKey: "live", Payload: []byte(`{"event":{}}`)}}, store.EnqueueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for b.text(`[data-testid=executions] tbody tr:first-child a`) != res[0].ID {
		if time.Now().After(deadline) {
			t.Fatal("the list did not show the new execution")
		}
		time.Sleep(100 * time.Millisecond)
	}
	row := `[...document.querySelectorAll("[data-testid=executions] tbody tr")].find(tr => tr.querySelector("a").textContent === ` + strconv.Quote(res[0].ID) + `)`
	live := b.times(`JSON.stringify([` + row + `.querySelector("time")].map(t =>
		({Datetime: t.getAttribute("datetime"), Text: t.textContent, Title: t.title, Format: t.dataset.format || ""})))`)
	if texts := checkLocal(t, "the updated list", live, loc); len(texts) != 1 || !strings.HasSuffix(texts[0], " "+time.Now().In(loc).Format("MST")) {
		t.Errorf("the new execution's time reads %q, want it in %s", texts, loc)
	}
	b.noErrors()
}

// TestConsoleTimeWindowInLocalTime: the executions list's time window
// reads and is typed in the browser's time zone, which its labels name,
// and goes to the server in UTC, as the links carry it.
func TestConsoleTimeWindowInLocalTime(t *testing.T) {
	h := newConsoleHistory(t)
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skipf("no time zone data: %v", err)
	}
	b := newBrowser(t)
	b.inZone("America/New_York")
	const field = "2006-01-02T15:04"
	hourAgo := time.Now().UTC().Add(-time.Hour).Truncate(time.Minute)
	b.do("opening the list since an hour ago", chromedp.Navigate(h.url+"/executions?"+url.Values{"since": {hourAgo.Format(field)}}.Encode()),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=executions]`)))
	if got, want := b.evalString(`document.getElementById("since").value`), hourAgo.In(loc).Format(field); got != want {
		t.Errorf("the From field reads %q, want %q, the UTC %s in New York", got, want, hourAgo.Format(field))
	}
	if got, want := b.text(`label[for=since]`), "From ("+time.Now().In(loc).Format("MST")+")"; got != want {
		t.Errorf("the From field's label is %q, want %q", got, want)
	}
	for _, tc := range []struct {
		since time.Time
		n     int
	}{{hourAgo.Add(2 * time.Hour), 0}, {hourAgo, 2}} {
		local := tc.since.In(loc).Format(field)
		b.eval(`(document.getElementById("since").value = ` + strconv.Quote(local) + `) !== ""`)
		b.do("filtering from "+local, chromedp.Click(chromedp.CSS(`form.filters button[type=submit]`)))
		b.waitLoaded(url.Values{"since": {tc.since.UTC().Format(field)}}.Encode())
		b.do("reading the list", chromedp.WaitVisible(chromedp.CSS(`main h1`)))
		if n := b.count(`[data-testid=executions] tbody tr`); n != tc.n {
			t.Errorf("from %s in New York the list shows %d executions, want %d", local, n, tc.n)
		}
		if got := b.evalString(`document.getElementById("since").value`); got != local {
			t.Errorf("after filtering from %s the From field reads %q", local, got)
		}
	}
	b.noErrors()
}
