// Package core holds the connectors that run inside the engine: text, json,
// list, table, flow (helper flows and early return), http (outbound requests
// and the inbound endpoint trigger) and schedule.
//
// Like every connector it imports only engine/connector; tables and helper
// flows are reached through connector.Host.
package core

import "github.com/cardflow/cardflow/engine/connector"

// Connectors returns every core connector.
func Connectors() []*connector.Connector {
	return []*connector.Connector{Text(), JSON(), List(), Table(), Flow(), HTTP(), Schedule(), OktaWorkflows()}
}
