package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// unknownReplayFields refuses a replay body with fields a replay does not
// take, naming each: a misspelt from_card would otherwise replay from the
// failed card, which nobody asked for. body decoded as a replayRequest.
func unknownReplayFields(body []byte) error {
	var fields map[string]json.RawMessage
	if len(body) == 0 || json.Unmarshal(body, &fields) != nil {
		return nil
	}
	var unknown []string
	for name := range fields {
		// encoding/json matched the names regardless of case.
		if !strings.EqualFold(name, "from_card") && !strings.EqualFold(name, "force") {
			unknown = append(unknown, strconv.Quote(name))
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	slices.Sort(unknown)
	return fmt.Errorf(`unknown field %s in the body: a replay takes {"from_card": "<card>", "force": true}`, strings.Join(unknown, ", "))
}

// replayForbidden refuses a replay asked by a principal without the
// operate role, and audits the refusal: the audit log lists every replay,
// accepted or refused, with who asked.
func (a *Admin) replayForbidden(w http.ResponseWriter, r *http.Request, msg string) {
	a.refuseReplay(w, r, replayRequest{FromCard: r.URL.Query().Get("from_card")}, http.StatusForbidden, msg)
}

// refuseReplay audits a replay refused before it reached the store, then
// answers status with msg.
func (a *Admin) refuseReplay(w http.ResponseWriter, r *http.Request, req replayRequest, status int, msg string) {
	a.refuse(w, r, "replay", req.detail(req.FromCard), status, msg)
}
