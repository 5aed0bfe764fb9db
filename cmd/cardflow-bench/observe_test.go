package main

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"testing"
)

// metricsSample is an engine's /metrics in the shape the harness reads:
// the flow's executions by status, another flow's, events received, the
// inbox depth, and lines that look alike but are not followed.
const metricsSample = `# HELP cardflow_executions_total Executions ended, by flow and status.
# TYPE cardflow_executions_total counter
cardflow_executions_total{flow="request_approval",status="succeeded"} 1234
cardflow_executions_total{flow="request_approval",status="failed"} 5
cardflow_executions_total{flow="incident",status="succeeded"} 99
cardflow_executions_total_other{flow="request_approval",status="succeeded"} 7
cardflow_events_received_total{flow="request_approval",trigger="okta.event_hook"} 1300
cardflow_events_received_total{flow="incident",trigger="okta.event_hook"} 50
cardflow_inbox_depth 17
cardflow_inbox_depth_max 99
cardflow_card_seconds_bucket{flow="request_approval",card="incident",le="0.005"} 3.5e+02
not a metric line
cardflow_executions_total{flow="request_approval",status="cancelled"} notanumber
`

// TestMetricsReadsTheFollowedCounters: the closed loop's poll sums the
// flow's ended executions (all statuses), its succeeded ones, its events
// received and the inbox depth, and nothing else.
func TestMetricsReadsTheFollowedCounters(t *testing.T) {
	srv := loopbackServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/metrics" {
			http.NotFound(w, r)
			return
		}
		_, _ = io.WriteString(w, metricsSample)
	})
	b := &bench{opts: &options{Flow: "request_approval"}, client: srv.Client()}
	c, err := b.metricsOf(context.Background(), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	want := counters{Succeeded: 1234, Ended: 1239, Received: 1300, Depth: 17}
	if c != want {
		t.Errorf("counters %+v, want %+v", c, want)
	}
}

// BenchmarkMetricsPoll measures one poll of the closed loop against a
// /metrics of an engine's size (about 16 KB, 200 lines), most of them
// lines the harness does not follow.
func BenchmarkMetricsPoll(b *testing.B) {
	body := metricsSample
	for i := 0; len(body) < 16<<10; i++ {
		body += `cardflow_card_seconds_bucket{flow="request_approval",card="incident",le="` + strconv.Itoa(i) + `"} 12345` + "\n"
	}
	srv := loopbackServer(b, func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, body) })
	bn := &bench{opts: &options{Flow: "request_approval"}, client: srv.Client()}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := bn.metricsOf(context.Background(), srv.URL); err != nil {
			b.Fatal(err)
		}
	}
}
