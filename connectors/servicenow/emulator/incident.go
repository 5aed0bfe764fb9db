package emulator

import (
	"maps"
	"strconv"
)

// incidentRulesLocked applies the incident business rules and data policy to
// a write: unknown close codes are dropped, state and incident_state stay
// equal, priority follows impact×urgency, state changes stamp
// resolved/closed/reopened fields and active, and a record left Resolved or
// Closed without resolution code and notes is refused.
func (e *Emulator) incidentRulesLocked(w write, rec, changes map[string]string, userID string) error {
	if cc, ok := changes["close_code"]; ok && cc != "" && !e.choiceValidLocked("incident", "close_code", cc) {
		delete(changes, "close_code") // dropped silently, as the platform does
	}
	st, hasState := changes["state"]
	if ist, ok := changes["incident_state"]; ok && !hasState {
		st, hasState = ist, true
	}
	if hasState {
		changes["state"], changes["incident_state"] = st, st
	}
	oldState := rec["state"]
	maps.Copy(rec, changes)
	rec["priority"] = priority(rec["impact"], rec["urgency"])
	if !w.seed {
		stateSideEffects(rec, oldState, w.old == nil, userID, e.now())
	}
	if w.seed {
		return nil
	}
	return dataPolicy(rec)
}

// stateSideEffects are the base business rules driven by incident_state.
func stateSideEffects(rec map[string]string, oldState string, insert bool, userID, now string) {
	st := rec["state"]
	if st == oldState && !insert {
		return
	}
	switch st {
	case "6":
		rec["resolved_at"], rec["resolved_by"] = now, userID
		rec["active"] = "true"
	case "7":
		rec["closed_at"], rec["closed_by"] = now, userID
		rec["active"] = "false"
	case "8":
		rec["active"] = "false" // UNCONF in the reference; the common configuration
	default:
		rec["active"] = "true"
		if oldState == "6" || oldState == "7" {
			n, _ := strconv.Atoi(rec["reopen_count"])
			rec["reopen_count"] = strconv.Itoa(n + 1)
			rec["reopened_time"], rec["reopened_by"] = now, userID
		}
	}
}

// dataPolicy is the mandatory-fields policy on Resolved (6) and Closed (7).
func dataPolicy(rec map[string]string) error {
	if rec["state"] != "6" && rec["state"] != "7" {
		return nil
	}
	var missing []string
	if rec["close_code"] == "" {
		missing = append(missing, "Resolution code")
	}
	if rec["close_notes"] == "" {
		missing = append(missing, "Resolution notes")
	}
	if missing == nil {
		return nil
	}
	return &PolicyError{Fields: missing}
}

// priority is the default priority data lookup: impact + urgency - 1,
// clamped to 1..5 (1/1 Critical ... 3/3 Planning).
func priority(impact, urgency string) string {
	i, err1 := strconv.Atoi(impact)
	u, err2 := strconv.Atoi(urgency)
	if err1 != nil || err2 != nil || i < 1 || i > 3 || u < 1 || u > 3 {
		return "5"
	}
	return strconv.Itoa(i + u - 1)
}
