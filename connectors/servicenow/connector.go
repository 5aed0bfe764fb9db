package servicenow

import (
	"context"
	"fmt"

	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/engine/connector"
)

// Name is the connector's name in flows: servicenow.create_record.
const Name = "servicenow"

const valuesDoc = " ServiceNow returns every value as a string and the connector keeps them so: record is a map(string) (state \"6\", sys_mod_count \"3\", active \"true\"), references are plain sys_ids (sysparm_exclude_reference_link=true) and dates are UTC \"YYYY-MM-DD HH:MM:SS\"."

// New returns the ServiceNow connector.
func New() *connector.Connector {
	return &connector.Connector{
		Name:       Name,
		Doc:        "ServiceNow Table API: records, incidents, a custom API call, and record polling triggers.",
		Connection: connectionSchema(),
		Open:       func(cfg cty.Value) (connector.Client, error) { return Open(cfg) },
		Actions:    actions(),
		Triggers:   triggers(),
	}
}

func actions() []*connector.Action {
	return []*connector.Action{
		{Name: "create_record", Effect: connector.Write, Input: createInput(), Output: createOutput, Do: doCreateRecord,
			Doc: "Creates a record (POST /api/now/table/<table>). With idempotency_key the record is looked up first by idempotency_field, and an existing one is returned with created = false." + valuesDoc},
		{Name: "read_record", Effect: connector.Read, Input: readInput(), Output: recordOutput, Do: doReadRecord,
			Doc: "Reads one record by sys_id or number; fails with kind not_found when there is none." + valuesDoc},
		{Name: "update_record", Effect: connector.Write, Input: updateInput(), Output: recordOutput, Do: doUpdateRecord,
			Doc: "Changes the given fields of a record (PATCH) and returns the whole record." + valuesDoc},
		{Name: "search_records", Effect: connector.Read, Input: searchInput(), Output: searchOutput, Do: doSearchRecords,
			Doc: "Lists the records matching an encoded query, following the Link header's next pages up to limit. count is the number returned, total ServiceNow's X-Total-Count (null when absent)." + valuesDoc},
		{Name: "delete_record", Effect: connector.Write, Input: deleteInput(), Output: deleteOutput, Do: doDeleteRecord,
			Doc: "Deletes a record; fails with kind not_found when it does not exist."},
		{Name: "resolve_incident", Effect: connector.Write, Input: resolveInput(true), Output: recordOutput, Do: doResolveIncident,
			Doc: "Resolves an incident (state 6) with a resolution code and notes, which the data policy requires." + valuesDoc},
		{Name: "close_incident", Effect: connector.Write, Input: resolveInput(false), Output: recordOutput, Do: doCloseIncident,
			Doc: "Closes an incident (state 7). close_code and close_notes may be left out when the incident already carries them (an approver resolved it)." + valuesDoc},
		{Name: "add_work_note", Effect: connector.Write, Input: workNoteInput(), Output: recordOutput, Do: doAddWorkNote,
			Doc: "Appends a work note (or, with customer_visible, a comment) to a task record such as an incident." + valuesDoc},
		{Name: "api_call", Effect: connector.Write, Input: apiCallInput(), Output: apiCallOutput, Do: doAPICall,
			Doc: "Sends any request to the instance with the connection's credentials and returns status, headers and the decoded JSON body. Statuses of 400 and above fail the card with the matching error kind."},
	}
}

func triggers() []*connector.Trigger {
	return []*connector.Trigger{
		{Name: "record_created", Mode: connector.Poll, Config: triggerConfig(), Output: triggerOutput,
			Poll: func(ctx context.Context, req *connector.PollRequest) error { return poll(ctx, req, created) },
			Doc:  "Starts the flow once for every new record of a table (polling sys_created_on). trigger.record holds the record as strings; trigger.operation is \"created\"."},
		{Name: "record_updated", Mode: connector.Poll, Config: triggerConfig(), Output: triggerOutput,
			Poll: func(ctx context.Context, req *connector.PollRequest) error { return poll(ctx, req, updated) },
			Doc:  "Starts the flow once for every change of a record (polling sys_updated_on; one event per sys_id and sys_mod_count, creations included). trigger.operation is \"created\" when sys_mod_count is 0, else \"updated\"."},
	}
}

// clientOf returns the call's connection.
func clientOf(c connector.Client, op string) (*Client, error) {
	cl, ok := c.(*Client)
	if !ok || cl == nil {
		return nil, &connector.Error{Kind: connector.Invalid, Op: op, Message: fmt.Sprintf("the card needs a servicenow connection, got %T", c)}
	}
	return cl, nil
}

// intAttr reads a whole number attribute, clamped to [1, limit].
func intAttr(obj cty.Value, name string, def, limit int) int {
	return clamp(connector.Int(obj, name, def), limit)
}

// clamp returns n within [1, limit].
func clamp(n, limit int) int { return min(max(n, 1), limit) }
