package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"

	_ "github.com/jackc/pgx/v5/stdlib" // reads the PostgreSQL store after the engines stopped
	_ "modernc.org/sqlite"             // reads the engine's store after it stopped
)

// execRow is an execution as the store holds it.
type execRow struct {
	status     string
	hash       string
	endedAt    int64 // Unix ns
	incidentAt int64 // Unix ns the incident card's successful attempt ended
	count      int
}

// verify checks, after the engine stopped, that every acknowledged
// delivery has exactly one succeeded execution (from the SQLite file, the
// system of record) and exactly one incident (from the ServiceNow
// emulator's Table API), and computes the latencies from the journal.
func (b *bench) verify(ctx context.Context, res *result) error {
	db, q, err := b.openStore()
	if err != nil {
		return err
	}
	defer db.Close()
	// The size first: the engine stopped, and its last connection moved
	// the WAL into the file.
	if b.storeURL != "" {
		err = db.QueryRowContext(ctx, pgSize).Scan(&res.Disk.DBBytes)
		res.Disk.DBBytes -= res.Disk.pgBase
	} else {
		var fi os.FileInfo
		fi, err = os.Stat(b.dbPath)
		if fi != nil {
			res.Disk.DBBytes = fi.Size()
		}
	}
	if err != nil {
		return err
	}
	execs, err := readExecutions(ctx, db, q.executions, b.opts.Flow)
	if err != nil {
		return fmt.Errorf("reading executions: %w", err)
	}
	for _, e := range execs {
		res.Disk.Executions += e.count
	}
	incidents, err := b.incidents(ctx)
	if err != nil {
		return fmt.Errorf("listing incidents: %w", err)
	}
	res.check(execs, incidents, b.users)
	if res.Stages, err = readStages(ctx, db, q.stages, b.opts.Flow); err != nil {
		return fmt.Errorf("reading the journal: %w", err)
	}
	if res.Reload != nil && res.Reload.Observed {
		hashes := map[string]int{}
		for _, e := range execs {
			hashes[e.hash]++
		}
		first := ""
		for _, d := range res.Deliveries {
			if e, ok := execs[d.UUID]; ok {
				first = e.hash
				break
			}
		}
		for h, n := range hashes {
			if h == first {
				res.Reload.OldHash += n
			} else {
				res.Reload.NewHash += n
			}
		}
	}
	return nil
}

// storeQueries are the verifying queries in the store's dialect.
type storeQueries struct{ executions, stages string }

var sqliteQueries = storeQueries{
	executions: `SELECT e.dedup_key, e.status, e.definition_hash, COALESCE(e.ended_at, 0),
		COALESCE((SELECT MAX(j.ended_at) FROM journal j WHERE j.execution_num = e.num AND j.card = 'incident' AND j.status = 'ok'), 0)
		FROM executions e WHERE e.flow = ?`,
	stages: `SELECT e.id, e.received_at, e.started_at, e.ended_at, j.card, j.started_at, j.ended_at
		FROM journal j JOIN executions e ON e.num = j.execution_num
		WHERE e.flow = ? AND e.status = 'succeeded' AND j.status = 'ok' ORDER BY j.execution_num, j.seq`,
}

// openStore opens the run's store to read it: the SQLite file or the
// PostgreSQL database.
func (b *bench) openStore() (*sql.DB, storeQueries, error) {
	if b.storeURL != "" {
		db, err := sql.Open("pgx", b.storeURL)
		return db, storeQueries{executions: pgExecutions, stages: pgStages}, err
	}
	db, err := sql.Open("sqlite", "file:"+b.dbPath+"?mode=ro&_pragma=busy_timeout(5000)")
	return db, sqliteQueries, err
}

// readExecutions reads the flow's executions by dedup key (the event uuid)
// with the time their incident card succeeded.
func readExecutions(ctx context.Context, db *sql.DB, query, flow string) (map[string]*execRow, error) {
	rows, err := db.QueryContext(ctx, query, flow)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]*execRow{}
	for rows.Next() {
		var key sql.NullString
		r := &execRow{}
		if err := rows.Scan(&key, &r.status, &r.hash, &r.endedAt, &r.incidentAt); err != nil {
			return nil, err
		}
		if prev, ok := out[key.String]; ok {
			prev.count++
			continue
		}
		r.count = 1
		out[key.String] = r
	}
	return out, rows.Err()
}

// incidents counts the emulator's incidents by correlation_id (the user
// id), a page of 10,000 at a time.
func (b *bench) incidents(ctx context.Context) (map[string]int, error) {
	out := map[string]int{}
	const page = 10000
	for off := 0; ; off += page {
		q := url.Values{"sysparm_query": {"correlation_display=cardflow"}, "sysparm_fields": {"correlation_id"},
			"sysparm_limit": {strconv.Itoa(page)}, "sysparm_offset": {strconv.Itoa(off)}}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.snowURL+"/api/now/table/incident?"+q.Encode(), nil)
		if err != nil {
			return nil, err
		}
		req.SetBasicAuth(snowUser, snowPass)
		req.Header.Set("Accept", "application/json")
		resp, err := b.client.Do(req)
		if err != nil {
			return nil, err
		}
		var body struct {
			Result []struct {
				CorrelationID string `json:"correlation_id"`
			} `json:"result"`
		}
		err = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("HTTP %d: %v", resp.StatusCode, err)
		}
		for _, r := range body.Result {
			out[r.CorrelationID]++
		}
		if len(body.Result) < page {
			return out, nil
		}
	}
}

// stage is where an execution's time went, from the journal: a card's
// attempts (Run) and the wait before it started (Wait: the previous entry's
// group commit, scheduling; for "claim", inbox → started).
type stage struct {
	Name string  `json:"name"`
	Run  latency `json:"run_ms"`
	Wait latency `json:"wait_before_ms"`
}

// stageOrder names the rows of the table: the request_approval cards.
var stageOrder = []string{"read_user", "description", "incident", "remember"}

// readStages reads every succeeded execution's journal and summarises, per
// card, how long it ran and how long the execution waited before it (for
// "claim": from received to started; for "finish": from the last card's end
// to ended_at).
func readStages(ctx context.Context, db *sql.DB, query, flow string) ([]stage, error) {
	rows, err := db.QueryContext(ctx, query, flow)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	run, wait := map[string][]int64{}, map[string][]int64{}
	var cur string
	var prevEnd, endedAt int64
	flush := func() {
		if cur != "" {
			wait["finish"] = append(wait["finish"], endedAt-prevEnd)
		}
	}
	for rows.Next() {
		var id, card string
		var received, started, ended, js, je int64
		if err := rows.Scan(&id, &received, &started, &ended, &card, &js, &je); err != nil {
			return nil, err
		}
		if id != cur {
			flush()
			cur, prevEnd, endedAt = id, started, ended
			wait["claim"] = append(wait["claim"], started-received)
		}
		run[card] = append(run[card], je-js)
		wait[card] = append(wait[card], js-prevEnd)
		prevEnd = je
	}
	flush()
	out := []stage{{Name: "claim", Wait: newLatency(wait["claim"])}}
	for _, c := range stageOrder {
		if len(run[c]) == 0 {
			continue // a card the flow under test does not have
		}
		out = append(out, stage{Name: c, Run: newLatency(run[c]), Wait: newLatency(wait[c])})
	}
	out = append(out, stage{Name: "finish", Wait: newLatency(wait["finish"])})
	return out, rows.Err()
}
