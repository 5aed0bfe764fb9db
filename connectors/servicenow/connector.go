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
		Doc:        "ServiceNow Table API: records, incidents, a custom API call, and record polling triggers. validate warns of a field name a few letters from a field of the incident, sys_user and other built-in tables, and of a choice written by its label (state \"Resolved\" for 6): ServiceNow drops both from a write without an error, and a query condition on a label matches nothing.",
		Connection: connectionSchema(),
		Open:       openConnection,
		Actions:    actions(),
		Triggers:   triggers(),
		// validate --check-env: a refused password fails every card.
		CheckCredentials: checkCredentials,
	}
}

func actions() []*connector.Action {
	return []*connector.Action{
		createRecordAction(),
		readRecordAction(),
		updateRecordAction(),
		searchRecordsAction(),
		deleteRecordAction(),
		resolveIncidentAction(),
		closeIncidentAction(),
		addWorkNoteAction(),
		apiCallAction(),
	}
}

func triggers() []*connector.Trigger {
	return []*connector.Trigger{
		{Name: "record_created", Mode: connector.Poll, Config: triggerConfig(), Output: triggerOutput, OutputFor: recordOutputFor, Lint: lintFields(""), LintCompare: lintRecordCompare, CheckRemote: checkTable,
			Poll: func(ctx context.Context, req *connector.PollRequest) error { return poll(ctx, req, created) },
			Doc:  "Starts the flow once for every new record of a table (polling sys_created_on). trigger.record holds the record as strings; trigger.operation is \"created\"."},
		{Name: "record_updated", Mode: connector.Poll, Config: triggerConfig(), Output: triggerOutput, OutputFor: recordOutputFor, Lint: lintFields(""), LintCompare: lintRecordCompare, CheckRemote: checkTable,
			Poll: func(ctx context.Context, req *connector.PollRequest) error { return poll(ctx, req, updated) },
			Doc:  "Starts the flow once for every change of a record (polling sys_updated_on; one event per sys_id and sys_mod_count, creations included). trigger.operation is \"created\" when sys_mod_count is 0, else \"updated\"."},
	}
}

// openConnection is Open as the engine calls it: a failed Open is no
// client at all, not a nil *Client inside the interface.
func openConnection(cfg cty.Value) (connector.Client, error) {
	c, err := Open(cfg)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// clientOf returns a poll request's connection (actions get theirs from
// connector.NewAction).
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
