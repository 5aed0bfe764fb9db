package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	_ "modernc.org/sqlite" // reads the engine's store after it stopped
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
	execs, err := readExecutions(ctx, b.dbPath)
	if err != nil {
		return fmt.Errorf("reading executions: %w", err)
	}
	incidents, err := b.incidents(ctx)
	if err != nil {
		return fmt.Errorf("listing incidents: %w", err)
	}
	res.check(execs, incidents, b.users)
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

// readExecutions reads the flow's executions by dedup key (the event uuid)
// with the time their incident card succeeded.
func readExecutions(ctx context.Context, path string) (map[string]*execRow, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `SELECT e.dedup_key, e.status, e.definition_hash, COALESCE(e.ended_at, 0),
		COALESCE((SELECT MAX(j.ended_at) FROM journal j WHERE j.execution_id = e.id AND j.card = 'incident' AND j.status = 'ok'), 0)
		FROM executions e WHERE e.flow = ?`, flowName)
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
