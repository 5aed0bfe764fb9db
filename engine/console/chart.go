package console

import (
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/cardflow/cardflow/engine/store"
)

// chartStatuses are the series of the activity chart, stacked in this
// order, with their colours (also in the legend).
var chartStatuses = []struct {
	Status store.Status
	Color  string
}{
	{store.Succeeded, "#2f7d32"},
	{store.Failed, "#c62828"},
	{store.Halted, "#8d6e63"},
	{store.Filtered, "#9e9e9e"},
	{store.Canceled, "#6d4c9f"},
	{store.Running, "#1565c0"},
	{store.Waiting, "#8a5a00"},
	{store.Pending, "#f9a825"},
}

// Chart is the activity chart: an SVG drawn on the server, and the same
// figures as a table for screen readers and for JavaScript-free reading.
type Chart struct {
	SVG    template.HTML
	Legend []LegendItem
	Rows   []ChartRow
	Total  int
}

// LegendItem names a series' colour.
type LegendItem struct {
	Status store.Status
	Color  string
	Count  int
}

// ChartRow is one minute with any executions.
type ChartRow struct {
	Minute time.Time
	Counts []int // in chartStatuses order
}

// activityChart draws the last hour by minute, stacked by status. Its
// times are UTC, each label marked with its time (data-datetime) for
// console.js to show in the browser's time zone; the page names the zone.
func activityChart(counts []store.ActivityCount, now time.Time) Chart {
	// The bars stand below a top margin that holds the peak's label, so
	// that the newest minute's bar does not run through it.
	const minutes, w, h, pad, top = 60, 720, 160, 24, 16
	end := now.Truncate(time.Minute)
	start := end.Add(-(minutes - 1) * time.Minute)
	byMinute := make([][]int, minutes)
	for i := range byMinute {
		byMinute[i] = make([]int, len(chartStatuses))
	}
	var ch Chart
	totals := make([]int, len(chartStatuses))
	for _, c := range counts {
		m := int(c.Start.Sub(start) / time.Minute)
		if m < 0 || m >= minutes {
			continue
		}
		for s, cs := range chartStatuses {
			if cs.Status == c.Status {
				byMinute[m][s] += c.Count
				totals[s] += c.Count
				ch.Total += c.Count
			}
		}
	}
	peak := 1
	for _, row := range byMinute {
		sum := 0
		for _, n := range row {
			sum += n
		}
		peak = max(peak, sum)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg viewBox="0 0 %d %d" role="img" aria-labelledby="chart-title" class="chart"><title id="chart-title">Executions per minute over the last hour, by status (peak %d)</title>`, w, h+pad, peak)
	bar := float64(w) / minutes
	for m, row := range byMinute {
		at := start.Add(time.Duration(m) * time.Minute)
		y := float64(h)
		for s, n := range row {
			if n == 0 {
				continue
			}
			hh := float64(h-top) * float64(n) / float64(peak)
			y -= hh
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title data-datetime="%s" data-format="hm">%s %s: %d</title></rect>`,
				float64(m)*bar+1, y, bar-2, hh, chartStatuses[s].Color, at.Format(time.RFC3339), at.Format("15:04"), chartStatuses[s].Status, n)
		}
		if m%10 == 0 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" class="axis" data-datetime="%s" data-format="hm">%s</text>`, float64(m)*bar, h+16, at.Format(time.RFC3339), at.Format("15:04"))
		}
	}
	fmt.Fprintf(&b, `<text x="%d" y="12" class="axis" text-anchor="end">%d/min</text></svg>`, w-2, peak)
	ch.SVG = template.HTML(b.String()) // built here from numbers and fixed strings only
	for s, cs := range chartStatuses {
		ch.Legend = append(ch.Legend, LegendItem{Status: cs.Status, Color: cs.Color, Count: totals[s]})
	}
	for m, row := range byMinute {
		sum := 0
		for _, n := range row {
			sum += n
		}
		if sum > 0 {
			ch.Rows = append(ch.Rows, ChartRow{Minute: start.Add(time.Duration(m) * time.Minute), Counts: row})
		}
	}
	return ch
}
