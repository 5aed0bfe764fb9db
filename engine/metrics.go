package engine

import (
	"errors"
	"net/http"
	"time"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/store"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the Prometheus metrics of an engine. They implement the
// observers of runtime, trigger and server.
type Metrics struct {
	reg        *prometheus.Registry
	executions *prometheus.CounterVec
	execDur    *prometheus.HistogramVec
	cardDur    *prometheus.HistogramVec
	cardErrs   *prometheus.CounterVec
	retries    *prometheus.CounterVec
	received   *prometheus.CounterVec
	held       prometheus.Histogram
	rejected   *prometheus.CounterVec
	reloads    *prometheus.CounterVec
	pollErrs   *prometheus.CounterVec
	lag        *prometheus.GaugeVec
	depth      prometheus.GaugeFunc
	generation prometheus.Gauge
	pruned     prometheus.Counter
}

func newMetrics(depth func() float64) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.executions = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "cardflow_executions_total", Help: "Executions that ended, by flow and status."}, []string{"flow", "status"})
	m.execDur = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "cardflow_execution_duration_seconds", Help: "Execution run time, by flow.", Buckets: prometheus.ExponentialBuckets(0.001, 4, 10)}, []string{"flow"})
	m.cardDur = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "cardflow_card_duration_seconds", Help: "Card attempt latency, by flow and card.", Buckets: prometheus.ExponentialBuckets(0.0005, 4, 10)}, []string{"flow", "card"})
	m.cardErrs = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "cardflow_card_errors_total", Help: "Failed card attempts, by flow, card and error kind."}, []string{"flow", "card", "kind"})
	m.retries = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "cardflow_card_retries_total", Help: "Card retries, by flow and card."}, []string{"flow", "card"})
	m.received = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "cardflow_events_received_total", Help: "Pushed events stored in the inbox, by flow."}, []string{"flow"})
	m.held = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "cardflow_intake_held_seconds", Help: "How long pushed events that found every worker busy were held for one before they were stored (--ack-wait).", Buckets: prometheus.ExponentialBuckets(0.001, 4, 6)})
	m.rejected = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "cardflow_requests_rejected_total", Help: "Rejected requests, by route (the first segment of the route matched: /hooks, /flows, /healthz, /api, /metrics, /debug, /ui, or other) and status."}, []string{"route", "status"})
	m.reloads = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "cardflow_reloads_total", Help: "Flow reloads, by result (accepted, rejected)."}, []string{"result"})
	m.pollErrs = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "cardflow_poll_errors_total", Help: "Failed polls, by flow."}, []string{"flow"})
	m.lag = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "cardflow_trigger_lag_seconds", Help: "Age of the newest event a poller emitted when it emitted it, by flow."}, []string{"flow"})
	m.depth = prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "cardflow_inbox_depth", Help: "Executions waiting to be claimed."}, depth)
	m.generation = prometheus.NewGauge(prometheus.GaugeOpts{Name: "cardflow_generation", Help: "The number of the active generation of flows."})
	m.pruned = prometheus.NewCounter(prometheus.CounterOpts{Name: "cardflow_executions_pruned_total", Help: "Finished executions deleted after the retention period."})
	m.reg.MustRegister(m.executions, m.execDur, m.cardDur, m.cardErrs, m.retries, m.received, m.held, m.rejected, m.reloads, m.pollErrs, m.lag, m.depth, m.generation, m.pruned,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.zeroKnownSeries()
	return m
}

// rejectedRoutes and rejectedStatuses are the label values of
// cardflow_requests_rejected_total that exist before any request: the
// routes of both surfaces and the console, and the refusals they answer.
var (
	rejectedRoutes   = []string{"/hooks", "/flows", "/healthz", "/api", "/metrics", "/debug", "/ui", "other"}
	rejectedStatuses = []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound,
		http.StatusMethodNotAllowed, http.StatusConflict, http.StatusRequestEntityTooLarge, http.StatusServiceUnavailable}
	// endedStatuses are the statuses cardflow_executions_total counts.
	endedStatuses = []store.Status{store.Succeeded, store.Failed, store.Halted, store.Filtered, store.Canceled}
)

// zeroKnownSeries creates, at zero, the series whose label values are
// known before anything happens, so that a fresh process exports 0 for
// them rather than nothing (rate() and absent-series alerts see "no data"
// otherwise).
func (m *Metrics) zeroKnownSeries() {
	for _, r := range []string{"accepted", "rejected"} {
		m.reloads.WithLabelValues(r)
	}
	for _, route := range rejectedRoutes {
		for _, status := range rejectedStatuses {
			m.rejected.WithLabelValues(route, http.StatusText(status))
		}
	}
}

// zeroFlowSeries creates, at zero, the per-flow series of the flows of a
// generation just loaded: their executions by ending status, the events
// they received and their failed polls.
func (m *Metrics) zeroFlowSeries(flows []string) {
	for _, flow := range flows {
		for _, st := range endedStatuses {
			m.executions.WithLabelValues(flow, string(st))
		}
		m.received.WithLabelValues(flow)
		m.pollErrs.WithLabelValues(flow)
	}
}

// Handler serves the metrics.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// CardAttempt implements runtime.Observer.
func (m *Metrics) CardAttempt(flow, card string, d time.Duration, err error) {
	m.cardDur.WithLabelValues(flow, card).Observe(d.Seconds())
	if err != nil {
		var stop *connector.Stop
		if !errors.As(err, &stop) {
			m.cardErrs.WithLabelValues(flow, card, connector.KindOf(err).String()).Inc()
		}
	}
}

// Retry implements runtime.Observer.
func (m *Metrics) Retry(flow, card string) { m.retries.WithLabelValues(flow, card).Inc() }

// ExecutionDone implements runtime.Observer.
func (m *Metrics) ExecutionDone(flow string, status store.Status, d time.Duration) {
	m.executions.WithLabelValues(flow, string(status)).Inc()
	m.execDur.WithLabelValues(flow).Observe(d.Seconds())
}

// Canceled counts an execution of flow an operator canceled: it ended, as
// cardflow_executions_total counts endings, but no worker ran it to its
// end, so it has no duration.
func (m *Metrics) Canceled(flow string) {
	m.executions.WithLabelValues(flow, string(store.Canceled)).Inc()
}

// Received implements trigger.IntakeObserver.
func (m *Metrics) Received(flow string, n int) { m.received.WithLabelValues(flow).Add(float64(n)) }

// Held implements trigger.IntakeObserver.
func (m *Metrics) Held(d time.Duration) { m.held.Observe(d.Seconds()) }

// Metrics returns the engine's metrics, which count what the surfaces
// mounted beside the engine's (the console) refuse too.
func (e *Engine) Metrics() *Metrics { return e.metrics }

// Rejected implements server.Observer.
func (m *Metrics) Rejected(route string, status int) {
	m.rejected.WithLabelValues(route, http.StatusText(status)).Inc()
}

// Emitted implements trigger.Observer.
func (m *Metrics) Emitted(flow string, n int, newest time.Time) {
	if !newest.IsZero() {
		m.lag.WithLabelValues(flow).Set(time.Since(newest).Seconds())
	}
}

// PollFailed implements trigger.Observer.
func (m *Metrics) PollFailed(flow string, err error) { m.pollErrs.WithLabelValues(flow).Inc() }
