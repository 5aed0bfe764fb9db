package console_test

import (
	"context"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/cardflow/cardflow/engine"
	"github.com/cardflow/cardflow/engine/console"
)

var (
	timeElement = regexp.MustCompile(`<time datetime="([^"]+)"(?: data-format="(minute)")?>([^<]*)</time>`)
	// chartLabel is a time of the activity chart: an SVG element that
	// cannot hold a <time>, marked with its time instead.
	chartLabel = regexp.MustCompile(`<(?:text|title) [^>]*data-datetime="[^"]+" data-format="hm">\d\d:\d\d[^<]*</(?:text|title)>`)
	tag        = regexp.MustCompile(`<[^>]*>`)
	clock      = regexp.MustCompile(`\d\d:\d\d`)
)

// TestTimesAreTimeElements: every time a page shows is a <time> element
// with its RFC 3339 time in UTC, its text the same time in UTC, named so
// (what a browser without JavaScript shows; console.js shows it in the
// browser's time zone), or a chart label marked with its time. No time is
// written outside them.
func TestTimesAreTimeElements(t *testing.T) {
	f := newFixture(t, 0)
	if err := (&engine.ConsoleSource{Store: f.st}).Audit(context.Background(), console.AuditEntry{At: time.Now(), Who: "oncall",
		Role: "operate", Action: "replay", Target: f.failed, Outcome: "ok"}); err != nil {
		t.Fatal(err)
	}
	c := f.login(readToken)
	for _, path := range []string{"/ui/executions", "/ui/executions/" + f.failed, "/ui/audit", "/ui/health"} {
		code, body, _ := get(t, c, f.srv.URL+path)
		if code != http.StatusOK {
			t.Fatalf("GET %s = %d", path, code)
		}
		found := timeElement.FindAllStringSubmatch(body, -1)
		if len(found) == 0 {
			t.Errorf("%s shows no <time>", path)
		}
		for _, m := range found {
			at, err := time.Parse(time.RFC3339Nano, m[1])
			if err != nil || at.Location() != time.UTC {
				t.Errorf("%s: datetime %q is not an RFC 3339 time in UTC", path, m[1])
				continue
			}
			layout := "2006-01-02 15:04:05.000 UTC"
			if m[2] == "minute" {
				layout = "15:04 UTC"
			}
			if want := at.Format(layout); m[3] != want {
				t.Errorf("%s: the time %s reads %q, want %q", path, m[1], m[3], want)
			}
		}
		rest := tag.ReplaceAllString(chartLabel.ReplaceAllString(timeElement.ReplaceAllString(body, ""), ""), "")
		if bare := clock.FindAllString(rest, -1); len(bare) > 0 {
			t.Errorf("%s shows times outside <time> elements: %q", path, bare)
		}
	}
}
