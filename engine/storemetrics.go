package engine

import (
	"github.com/cardflow/cardflow/engine/store"
	"github.com/prometheus/client_golang/prometheus"
)

// storeCollector exports a store's write counts (store.WriteCounter),
// read once per scrape.
type storeCollector struct {
	st                    store.WriteCounter
	commits, writes       *prometheus.Desc
	walBytes, walRestarts *prometheus.Desc
	walBlocked            *prometheus.Desc
}

func newStoreCollector(st store.WriteCounter) *storeCollector {
	return &storeCollector{
		st:      st,
		commits: prometheus.NewDesc("cardflow_store_commits_total", "Write transactions the store committed.", nil, nil),
		writes: prometheus.NewDesc("cardflow_store_writes_total",
			"Writes the store committed (events taken in, journal entries, outcomes); divided by cardflow_store_commits_total, how many one transaction carried.", nil, nil),
		walBytes: prometheus.NewDesc("cardflow_store_wal_bytes",
			"Size of the SQLite write-ahead log file on disk: about 16 MiB plus what is written while a checkpoint runs, more while a reader holds a snapshot (see cardflow_store_wal_restarts_blocked_total).", nil, nil),
		walRestarts: prometheus.NewDesc("cardflow_store_wal_restarts_total",
			"Times the SQLite write-ahead log started over after a checkpoint had copied all of it into the database.", nil, nil),
		walBlocked: prometheus.NewDesc("cardflow_store_wal_restarts_blocked_total",
			"Times readers on older snapshots (a backup, a long export) held off a restart of the SQLite write-ahead log: while they last, it grows.", nil, nil),
	}
}

func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.commits
	ch <- c.writes
	ch <- c.walBytes
	ch <- c.walRestarts
	ch <- c.walBlocked
}

func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.st.WriteCounts()
	ch <- prometheus.MustNewConstMetric(c.commits, prometheus.CounterValue, float64(s.Commits))
	ch <- prometheus.MustNewConstMetric(c.writes, prometheus.CounterValue, float64(s.Writes))
	if s.WAL {
		ch <- prometheus.MustNewConstMetric(c.walBytes, prometheus.GaugeValue, float64(s.WALBytes))
		ch <- prometheus.MustNewConstMetric(c.walRestarts, prometheus.CounterValue, float64(s.WALRestarts))
		ch <- prometheus.MustNewConstMetric(c.walBlocked, prometheus.CounterValue, float64(s.WALRestartsBlocked))
	}
}
