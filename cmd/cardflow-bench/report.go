package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// result is everything one run measured.
type result struct {
	Mode    string `json:"mode"`
	Flow    string `json:"flow"`
	Workers int    `json:"workers"`
	// Postgres: the run used the PostgreSQL store; its database's growth
	// during the run is Disk.DBBytes.
	Postgres bool `json:"postgres"`
	Users    int  `json:"users"`

	Deliveries []delivery `json:"-"`
	Sent       int        `json:"sent"`
	Acked      int        `json:"acked"`
	Rejected   int        `json:"rejected"` // non-200 answers and transport errors

	Start, LoadEnd, Done time.Time `json:"-"`
	LoadSeconds          float64   `json:"load_s"`
	DrainSeconds         float64   `json:"drain_s"` // load end → last execution ended
	Drained              bool      `json:"drained"`

	Succeeded      int     `json:"executions_succeeded"`
	NotSucceeded   int     `json:"executions_not_succeeded"`
	Missing        int     `json:"executions_missing"`
	Duplicated     int     `json:"executions_duplicated"`
	IncidentsOK    int     `json:"incidents_exactly_one"`
	IncidentsBad   int     `json:"incidents_not_exactly_one"`
	ThroughputRun  float64 `json:"executions_per_s"`         // succeeded / (first due → last ended)
	ThroughputLoad float64 `json:"executions_per_s_in_load"` // ended during the load window / its length

	AckMS      latency `json:"ack_ms"`               // due → 200 from the hook
	IncidentMS latency `json:"delivery_incident_ms"` // due → incident created
	EndedMS    latency `json:"delivery_ended_ms"`    // due → execution ended

	Engine  cpuShare      `json:"engine"`
	Okta    cpuShare      `json:"okta_emulator"`
	Snow    cpuShare      `json:"servicenow_emulator"`
	Loadgen cpuShare      `json:"load_generator"`
	Others  cpuShare      `json:"other_processes"`
	Cores   int           `json:"cores"`
	Wall    float64       `json:"wall_s"`
	EngHWM  float64       `json:"engine_peak_rss_mib"`
	EngRSS  float64       `json:"engine_rss_end_mib"`
	Disk    diskResult    `json:"disk"`
	Samples []sample      `json:"samples"`
	Stages  []stage       `json:"stages,omitempty"`
	Reload  *reloadResult `json:"reload,omitempty"`
	// HoldRead is the reader that held a snapshot (-hold-read).
	HoldRead *holdResult `json:"held_read,omitempty"`
	Profile  string      `json:"profile,omitempty"`
	// ProfileShares groups the profile's CPU by what the stacks serve.
	ProfileShares []profileShare `json:"profile_shares,omitempty"`
	// EmulatorProfiles are the emulators' and the load generator's CPU
	// profiles (-pprof-emulators).
	EmulatorProfiles []string `json:"emulator_profiles,omitempty"`
	Verdicts         []string `json:"problems,omitempty"`
}

// latency is a distribution in milliseconds.
type latency struct {
	N   int     `json:"n"`
	P50 float64 `json:"p50"`
	P90 float64 `json:"p90"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

func newLatency(ns []int64) latency {
	if len(ns) == 0 {
		return latency{}
	}
	slices.Sort(ns)
	q := func(p float64) float64 {
		i := int(math.Ceil(p*float64(len(ns)))) - 1
		return float64(ns[max(i, 0)]) / 1e6
	}
	return latency{N: len(ns), P50: q(0.50), P90: q(0.90), P99: q(0.99), Max: float64(ns[len(ns)-1]) / 1e6}
}

// cpuShare is a process's CPU over the run.
type cpuShare struct {
	Seconds float64 `json:"cpu_s"`
	Cores   float64 `json:"cores_used"` // CPU seconds per wall second
}

func (r *result) cpu(before, after cpuSnap) {
	r.Wall = after.at.Sub(before.at).Seconds()
	share := func(a, b procStat) cpuShare {
		s := (b.CPU - a.CPU).Seconds()
		return cpuShare{Seconds: s, Cores: s / r.Wall}
	}
	r.Engine = share(before.engine, after.engine)
	r.Okta = share(before.okta, after.okta)
	r.Snow = share(before.snow, after.snow)
	r.Loadgen = share(before.lg, after.lg)
	others := (after.machine - before.machine).Seconds() - r.Engine.Seconds - r.Okta.Seconds - r.Snow.Seconds - r.Loadgen.Seconds
	r.Others = cpuShare{Seconds: max(0, others), Cores: max(0, others) / r.Wall}
	r.Cores = runtime.NumCPU()
	r.EngHWM = float64(after.engine.HWM) / (1 << 20)
	r.EngRSS = float64(after.engine.RSS) / (1 << 20)
	r.LoadSeconds = r.LoadEnd.Sub(r.Start).Seconds()
}

// perExecution is c's CPU per succeeded execution in microseconds.
func (r *result) perExecution(c cpuShare) float64 {
	return 1e6 * c.Seconds / math.Max(1, float64(r.Succeeded))
}

// check compares deliveries with executions and incidents.
func (r *result) check(execs map[string]*execRow, incidents map[string]int, users []user) {
	var ack, inc, end []int64
	var first, last int64 = math.MaxInt64, 0
	inLoad := 0
	for _, d := range r.Deliveries {
		if d.Status != 200 {
			r.Rejected++
			continue
		}
		r.Acked++
		ack = append(ack, d.Acked-d.Sched)
		first = min(first, d.Sched)
		e, ok := execs[d.UUID]
		switch {
		case !ok:
			r.Missing++
		case e.count > 1:
			r.Duplicated++
		case e.status != "succeeded":
			r.NotSucceeded++
		default:
			r.Succeeded++
			last = max(last, e.endedAt)
			end = append(end, e.endedAt-d.Sched)
			if e.incidentAt > 0 {
				inc = append(inc, e.incidentAt-d.Sched)
			}
			if e.endedAt <= r.LoadEnd.UnixNano() {
				inLoad++
			}
		}
		if incidents[users[d.User].ID] == 1 {
			r.IncidentsOK++
		} else {
			r.IncidentsBad++
		}
	}
	r.AckMS, r.IncidentMS, r.EndedMS = newLatency(ack), newLatency(inc), newLatency(end)
	if last > first {
		r.ThroughputRun = float64(r.Succeeded) / (float64(last-first) / 1e9)
		r.DrainSeconds = max(0, float64(last-r.LoadEnd.UnixNano())/1e9)
	}
	if r.LoadSeconds > 0 {
		r.ThroughputLoad = float64(inLoad) / r.LoadSeconds
	}
	total := 0
	for _, n := range incidents {
		total += n
	}
	if extra := total - r.IncidentsOK; extra > 0 && r.IncidentsBad == 0 {
		r.Verdicts = append(r.Verdicts, fmt.Sprintf("%d incidents for no acknowledged delivery", extra))
	}
	if r.Missing+r.Duplicated+r.NotSucceeded > 0 {
		r.Verdicts = append(r.Verdicts, fmt.Sprintf("executions: %d missing, %d duplicated, %d not succeeded", r.Missing, r.Duplicated, r.NotSucceeded))
	}
	if r.IncidentsBad > 0 {
		r.Verdicts = append(r.Verdicts, fmt.Sprintf("%d acknowledged deliveries without exactly one incident", r.IncidentsBad))
	}
	if !r.Drained {
		r.Verdicts = append(r.Verdicts, "the executions did not finish within -drain-timeout")
	}
	if r.Reload != nil && !r.Reload.Observed {
		r.Verdicts = append(r.Verdicts, "reload: "+r.Reload.Error)
	}
	if r.HoldRead != nil && r.HoldRead.Error != "" {
		r.Verdicts = append(r.Verdicts, "held reader: "+r.HoldRead.Error)
	}
}

// Verified reports whether every check held.
func (r *result) Verified() bool { return len(r.Verdicts) == 0 && r.Acked > 0 }

// printResults prints one table with a column per run (or the JSON list).
func printResults(w io.Writer, rs []*result, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if len(rs) == 1 {
			return enc.Encode(rs[0])
		}
		return enc.Encode(rs)
	}
	flow := "request_approval (event → okta.read_user → text.compose → servicenow.create_record → table.put)"
	if rs[0].Flow == "incident" {
		flow = "incident (event → servicenow.create_record)"
	}
	fmt.Fprintf(w, "cardflow-bench: %s, SQLite store unless the column says PostgreSQL\n", flow)
	fmt.Fprintf(w, "engine --workers %d; %d cores\n\n", rs[0].Workers, rs[0].Cores)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	cols := make([][][2]string, len(rs))
	for i, r := range rs {
		cols[i] = r.rows()
	}
	header := "metric"
	for _, r := range rs {
		header += "\t" + r.Mode
	}
	fmt.Fprintln(tw, header)
	for i, row := range cols[0] {
		line := row[0]
		for _, c := range cols {
			line += "\t" + c[i][1]
		}
		fmt.Fprintln(tw, line)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, r := range rs {
		if r.Profile != "" {
			fmt.Fprintf(w, "\nengine CPU profile (%s): %s\n", r.Mode, r.Profile)
			if len(r.ProfileShares) > 0 {
				fmt.Fprintf(w, "engine CPU by what it serves: %s\n", formatShares(r.ProfileShares))
			}
		}
		for _, p := range r.EmulatorProfiles {
			fmt.Fprintf(w, "CPU profile (%s): %s\n", r.Mode, p)
		}
		if !r.Verified() {
			fmt.Fprintf(w, "\nFAILED (%s): %s\n", r.Mode, strings.Join(r.Verdicts, "; "))
		}
	}
	return nil
}

// rows are the table's rows for r: the same names for every run.
func (r *result) rows() [][2]string {
	lat := func(l latency) string {
		return fmt.Sprintf("%.1f / %.1f / %.1f / %.1f", l.P50, l.P90, l.P99, l.Max)
	}
	rows := [][2]string{
		{"deliveries sent / acknowledged / rejected", fmt.Sprintf("%d / %d / %d", r.Sent, r.Acked, r.Rejected)},
		{"executions succeeded", fmt.Sprintf("%d", r.Succeeded)},
		{"executions/s (first delivery → last execution ended)", fmt.Sprintf("%.0f", r.ThroughputRun)},
		{"executions/s ended within the load window", fmt.Sprintf("%.0f", r.ThroughputLoad)},
		{"load window / drain after it", fmt.Sprintf("%.1f s / %.2f s", r.LoadSeconds, r.DrainSeconds)},
		{"hook ack ms p50 / p90 / p99 / max", lat(r.AckMS)},
		{"delivery → incident created ms p50 / p90 / p99 / max", lat(r.IncidentMS)},
		{"delivery → execution ended ms p50 / p90 / p99 / max", lat(r.EndedMS)},
	}
	for _, st := range r.Stages {
		name, v := "", ""
		switch st.Name {
		case "claim":
			name, v = "  received → started (claim) ms p50 / p99", fmt.Sprintf("%.1f / %.1f", st.Wait.P50, st.Wait.P99)
		case "finish":
			name, v = "  last card → execution ended ms p50 / p99", fmt.Sprintf("%.1f / %.1f", st.Wait.P50, st.Wait.P99)
		default:
			name = "  card " + st.Name + " ms p50 / p99 (wait before it p50 / p99)"
			v = fmt.Sprintf("%.1f / %.1f (%.1f / %.1f)", st.Run.P50, st.Run.P99, st.Wait.P50, st.Wait.P99)
		}
		rows = append(rows, [2]string{name, v})
	}
	walMax := "-"
	if !r.Postgres {
		walMax = fmt.Sprintf("%.1f MiB", float64(r.Disk.WALMax)/(1<<20))
	}
	rows = append(rows, [][2]string{
		{"engine CPU s (cores used)", fmt.Sprintf("%.1f (%.2f)", r.Engine.Seconds, r.Engine.Cores)},
		{"engine CPU per execution", fmt.Sprintf("%.0f µs", r.perExecution(r.Engine))},
		{"engine peak RSS (VmHWM)", fmt.Sprintf("%.1f MiB", r.EngHWM)},
		{"SQLite WAL max size (sampled every 50 ms)", walMax},
		{"database bytes per execution (size / executions)", fmt.Sprintf("%.0f B (%.1f MiB / %d)", r.Disk.PerExecution(), float64(r.Disk.DBBytes)/(1<<20), r.Disk.Executions)},
		{"okta emulator CPU s (cores used)", fmt.Sprintf("%.1f (%.2f)", r.Okta.Seconds, r.Okta.Cores)},
		{"servicenow emulator CPU s (cores used)", fmt.Sprintf("%.1f (%.2f)", r.Snow.Seconds, r.Snow.Cores)},
		{"load generator CPU s (cores used)", fmt.Sprintf("%.1f (%.2f)", r.Loadgen.Seconds, r.Loadgen.Cores)},
		{"okta / servicenow emulator / load generator CPU per execution", fmt.Sprintf("%.0f / %.0f / %.0f µs",
			r.perExecution(r.Okta), r.perExecution(r.Snow), r.perExecution(r.Loadgen))},
		{"other processes CPU s (cores used)", fmt.Sprintf("%.1f (%.2f)", r.Others.Seconds, r.Others.Cores)},
		{"incidents: exactly one per delivery", fmt.Sprintf("%d of %d", r.IncidentsOK, r.Acked)},
	}...)
	reload := "-"
	if r.Reload != nil {
		reload = "not observed: " + r.Reload.Error
		if r.Reload.Observed {
			reload = fmt.Sprintf("%.0f ms (at %.1f s; %d executions on the old definition, %d on the new)",
				r.Reload.LiveMS, r.Reload.At, r.Reload.OldHash, r.Reload.NewHash)
		}
	}
	rows = append(rows, [2]string{"hot reload: flow file changed → live", reload})
	held := "-"
	if h := r.HoldRead; h != nil {
		held = "not held: " + h.Error
		if h.Error == "" {
			held = fmt.Sprintf("%.1f s from %.1f s (a snapshot of %d executions)", h.HeldS, h.At, h.Executions)
		}
	}
	rows = append(rows, [2]string{"reader holding a snapshot of the store (a backup)", held})
	verdict := "ok"
	if !r.Verified() {
		verdict = "FAILED"
	}
	return append(rows, [2]string{"exactly one succeeded execution and incident per delivery", verdict})
}
