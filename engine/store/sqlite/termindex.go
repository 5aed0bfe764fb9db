package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"
)

// termIndexEvery is how often the term indexer runs, and termIndexBatch the
// most executions whose terms one of its writes indexes. Variables so that
// tests can change them.
var (
	termIndexEvery = time.Second
	termIndexBatch = 1024
)

// termIndexer indexes new executions' correlation terms in batches, as
// PostgreSQL's GIN indexes do with their pending list. An enqueue writes
// the terms into the execution's row, and nothing else: the executions
// numbered after terms_cursor are the queue (see migration 0010). The
// indexer then inserts a second's worth of terms into execution_terms in
// one write, sorted by term, and moves the cursor past them. Inserted one
// execution at a time, each of an Okta event's eight or so terms lands at
// a random place of the index and dirties a page of its own in every
// commit, to be written to the WAL and checkpointed; in one sorted batch,
// terms share pages. History finds executions still queued by their row's
// terms meanwhile (see Executions), so a search misses nothing.
type termIndexer struct {
	cancel context.CancelFunc
	exited chan struct{}
}

func (s *Store) startTermIndexer() {
	ctx, cancel := context.WithCancel(context.Background())
	s.ti = &termIndexer{cancel: cancel, exited: make(chan struct{})}
	go func() {
		defer close(s.ti.exited)
		t := time.NewTicker(termIndexEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			// What fails is indexed at a later round: the queue keeps it.
			for {
				n, err := s.indexTerms(ctx, termIndexBatch)
				if err != nil || n < termIndexBatch {
					break
				}
			}
		}
	}()
}

// stop ends the indexer and waits for it; what is queued stays queued.
func (ti *termIndexer) stop() {
	ti.cancel()
	<-ti.exited
}

// termEntry is a row of execution_terms.
type termEntry struct {
	term string
	num  int64
}

// termsPerInsert is how many terms one statement inserts: a statement per
// term cost the driver's call as much as the insert itself.
const termsPerInsert = 64

// termRows is n rows of two parameters, for a multi-row VALUES.
func termRows(n int) string {
	return strings.TrimSuffix(strings.Repeat("(?, ?), ", n), ", ")
}

// indexTerms moves the terms of up to max queued executions, the oldest,
// into execution_terms, and returns how many executions it took off the
// queue.
func (s *Store) indexTerms(ctx context.Context, max int) (int, error) {
	var n int
	err := s.w.do(ctx, func(tx *writeTx) error {
		n = 0
		rows, err := tx.query(wTermsPending, max)
		if err != nil {
			return err
		}
		var (
			entries []termEntry
			last    int64
		)
		for rows.Next() {
			var (
				num   int64
				terms sql.NullString
			)
			if err := rows.Scan(&num, &terms); err != nil {
				rows.Close()
				return err
			}
			for _, t := range splitTerms(terms) {
				entries = append(entries, termEntry{t, num})
			}
			last = num
			n++
		}
		if err := cmp.Or(rows.Err(), rows.Close()); err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		slices.SortFunc(entries, func(a, b termEntry) int {
			return cmp.Or(strings.Compare(a.term, b.term), cmp.Compare(a.num, b.num))
		})
		if err := insertTermEntries(tx, entries); err != nil {
			return err
		}
		_, err = tx.exec(wTermsIndexed, last)
		return err
	})
	return n, err
}

// insertTermEntries inserts entries, termsPerInsert at a time, then the
// rest one by one.
func insertTermEntries(tx *writeTx, entries []termEntry) error {
	args := make([]any, 0, 2*termsPerInsert)
	for len(entries) >= termsPerInsert {
		args = args[:0]
		for _, e := range entries[:termsPerInsert] {
			args = append(args, e.term, e.num)
		}
		if _, err := tx.exec(wInsertTerms, args...); err != nil {
			return err
		}
		entries = entries[termsPerInsert:]
	}
	for _, e := range entries {
		if _, err := tx.exec(wInsertTerm, e.term, e.num); err != nil {
			return err
		}
	}
	return nil
}
