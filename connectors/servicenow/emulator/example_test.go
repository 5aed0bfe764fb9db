package emulator_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/cardflow/cardflow/connectors/servicenow/emulator"
)

// An integration account opens an incident over HTTP; the approver resolves
// it through the Go API; a poll sees the approver's change.
func Example() {
	clock := time.Date(2026, 11, 20, 9, 14, 5, 0, time.UTC)
	e := emulator.New(emulator.Options{Now: func() time.Time { return clock }})
	if err := e.Seed(emulator.DemoSeed()); err != nil {
		panic(err)
	}
	srv := httptest.NewServer(e)
	defer srv.Close()

	req, _ := http.NewRequest("POST", srv.URL+"/api/now/table/incident",
		strings.NewReader(`{"short_description":"Approve access for kari","correlation_display":"cardflow"}`))
	req.SetBasicAuth("svc.cardflow", "cardflow-dev")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	var created struct{ Result map[string]any }
	_ = json.NewDecoder(resp.Body).Decode(&created)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, created.Result["number"], created.Result["state"])

	id := created.Result["sys_id"].(string)
	_, err = e.Update("incident", id, "beth.anglin", map[string]string{"state": "6"})
	var policy *emulator.PolicyError
	if errors.As(err, &policy) {
		fmt.Println("403 data policy, missing:", strings.Join(policy.Fields, ", "))
	}
	clock = clock.Add(time.Minute)
	rec, _ := e.Update("incident", id, "beth.anglin", map[string]string{
		"state": "6", "close_code": "Solution provided", "close_notes": "Approved",
	})
	fmt.Println(rec["state"], rec["resolved_at"], rec["sys_updated_by"], rec["sys_mod_count"])

	for _, r := range e.Find("incident", "correlation_display=cardflow^state=6^sys_updated_on>=2026-11-20 09:15:00") {
		fmt.Println(r["number"])
	}
	// Output:
	// 201 INC0010001 1
	// 403 data policy, missing: Resolution code, Resolution notes
	// 6 2026-11-20 09:15:05 beth.anglin 1
	// INC0010001
}
