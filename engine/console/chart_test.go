package console

import (
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/cardflow/cardflow/engine/store"
)

// TestChartPeakLabelClearOfTheBars: the "N/min" label at the chart's top
// right stays readable when the newest minute is the busiest: no bar
// reaches into the label's line.
func TestChartPeakLabelClearOfTheBars(t *testing.T) {
	now := time.Date(2026, 12, 8, 0, 13, 30, 0, time.UTC)
	minute := now.Truncate(time.Minute)
	ch := activityChart([]store.ActivityCount{
		{Start: minute, Status: store.Succeeded, Count: 4},
		{Start: minute, Status: store.Failed, Count: 1},
		{Start: minute, Status: store.Waiting, Count: 3},
		{Start: minute.Add(-30 * time.Minute), Status: store.Succeeded, Count: 2},
	}, now)
	label := regexp.MustCompile(`<text x="[0-9.]+" y="([0-9.]+)" class="axis" text-anchor="end">8/min</text>`).FindStringSubmatch(string(ch.SVG))
	if label == nil {
		t.Fatalf("no 8/min label in\n%s", ch.SVG)
	}
	baseline, _ := strconv.ParseFloat(label[1], 64)
	for _, m := range regexp.MustCompile(`<rect x="[0-9.]+" y="([0-9.]+)"`).FindAllStringSubmatch(string(ch.SVG), -1) {
		if y, _ := strconv.ParseFloat(m[1], 64); y < baseline+2 {
			t.Errorf("a bar starts at y=%.1f, through the peak label (baseline y=%.1f)", y, baseline)
		}
	}
}
