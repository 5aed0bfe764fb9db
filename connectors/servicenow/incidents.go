package servicenow

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/engine/connector"
)

// Incident states (reference §3.2).
const (
	stateResolved = "6"
	stateClosed   = "7"
)

func resolveIncidentAction() *connector.Action {
	return connector.NewAction(Name, connector.Action{
		Name: "resolve_incident", Effect: connector.Write, Input: resolveInput(true), Output: recordOutput,
		LintCompare: lintOutputCompare("incident"),
		CheckRemote: checkCloseCode,
		Lint:        lintFields("incident"),
		Doc:         "Resolves an incident (state 6) with a resolution code and notes, which the data policy requires." + valuesDoc,
	}, resolveIncident)
}

func resolveIncident(ctx context.Context, c *Client, call *connector.Call) (any, error) {
	return setIncidentState(ctx, c, call, "servicenow.resolve_incident", stateResolved)
}

func closeIncidentAction() *connector.Action {
	return connector.NewAction(Name, connector.Action{
		Name: "close_incident", Effect: connector.Write, Input: resolveInput(false), Output: recordOutput,
		LintCompare: lintOutputCompare("incident"),
		CheckRemote: checkCloseCode,
		Lint:        lintFields("incident"),
		Doc:         "Closes an incident (state 7). close_code and close_notes may be left out when the incident already carries them (an approver resolved it)." + valuesDoc,
	}, closeIncident)
}

func closeIncident(ctx context.Context, c *Client, call *connector.Call) (any, error) {
	return setIncidentState(ctx, c, call, "servicenow.close_incident", stateClosed)
}

// setIncidentState moves an incident to state with the resolution fields in
// the same request, as the data policy requires. state and incident_state
// are both written: base business rules still read incident_state.
func setIncidentState(ctx context.Context, c *Client, call *connector.Call, op, state string) (cty.Value, error) {
	sysID, err := c.sysIDOf(ctx, op, "incident", call.Input)
	if err != nil {
		return cty.NilVal, err
	}
	fields := call.Input.StringMap("fields")
	if fields == nil {
		fields = map[string]string{}
	}
	fields["state"], fields["incident_state"] = state, state
	closeCode := call.Input.String("close_code")
	if closeCode != "" {
		fields["close_code"] = closeCode
	}
	if notes := call.Input.String("close_notes"); notes != "" {
		fields["close_notes"] = notes
	}
	row, err := c.patch(ctx, op, "incident", sysID, fields)
	if err != nil {
		return cty.NilVal, c.explainDataPolicy(ctx, err, closeCode)
	}
	return recordValue("incident", row), nil
}

// explainDataPolicy adds the instance's valid close codes to a data-policy
// rejection, when they can be read quickly. Other errors pass unchanged.
func (c *Client) explainDataPolicy(ctx context.Context, err error, closeCode string) error {
	var ce *connector.Error
	if !errors.As(err, &ce) || ce.Status != http.StatusForbidden || ce.Kind != connector.Invalid {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	codes, lerr := c.closeCodes(ctx)
	if lerr != nil || len(codes) == 0 {
		return err
	}
	out := *ce
	out.Message += fmt.Sprintf(". Valid close codes on this instance: %s", strings.Join(codes, ", "))
	if closeCode != "" && !slices.Contains(codes, closeCode) {
		out.Message += fmt.Sprintf(" (close_code %q is not one of them)", closeCode)
	}
	return &out
}

// closeCodes reads the active choices of incident.close_code from sys_choice.
func (c *Client) closeCodes(ctx context.Context) ([]string, error) {
	params := choiceParams("name=incident^element=close_code^inactive=false^ORDERBYsequence", "value")
	p, err := c.list(ctx, &request{op: "servicenow.sys_choice", method: http.MethodGet, path: tablePath("sys_choice"), query: params})
	if err != nil {
		return nil, err
	}
	var codes []string
	for _, row := range p.rows {
		if v := str(row["value"], "value"); v != "" && !slices.Contains(codes, v) {
			codes = append(codes, v)
		}
	}
	return codes, nil
}

func choiceParams(q, fields string) url.Values {
	p := recordParams()
	p.Set("sysparm_query", q)
	p.Set("sysparm_fields", fields)
	p.Set("sysparm_limit", "100")
	return p
}

func addWorkNoteAction() *connector.Action {
	return connector.NewAction(Name, connector.Action{
		Name: "add_work_note", Effect: connector.Write, Input: workNoteInput(), Output: recordOutput,
		LintCompare: lintOutputCompare(""),
		Doc:         "Appends a work note (or, with customer_visible, a comment) to a task record such as an incident." + valuesDoc,
	}, addWorkNote)
}

func addWorkNote(ctx context.Context, c *Client, call *connector.Call) (any, error) {
	const op = "servicenow.add_work_note"
	table := call.Input.String("table")
	if table == "" {
		table = "incident"
	}
	sysID, err := c.sysIDOf(ctx, op, table, call.Input)
	if err != nil {
		return nil, err
	}
	field := "work_notes"
	if call.Input.Bool("customer_visible", false) {
		field = "comments"
	}
	row, err := c.patch(ctx, op, table, sysID, map[string]string{field: call.Input.String("note")})
	if err != nil {
		return nil, err
	}
	return recordValue(table, row), nil
}
