// Package importer converts Okta Workflows exports (.flopack files) into
// cardflow HCL: one file per flow, tables.hcl, connections.hcl and a report
// of what was converted and what was not.
//
// The conversion is static: it reads the export and the connector registry
// (to know which actions exist) and never talks to Okta or ServiceNow. A
// card it cannot convert becomes an explicit placeholder card that
// `cardflow validate` rejects, so nothing is dropped silently.
//
// Which Okta Workflows card maps to which cardflow action lives in mapping
// tables, one file per connector (okta_cards.go, servicenow_cards.go,
// table_cards.go, http_cards.go) and one for the kernel function cards
// (kernel_cards.go); okta_api_native.go maps Okta Custom API Action
// requests to the Okta actions that make them. The tables live here rather than in the connectors'
// descriptors for now: the mappings name Okta Workflows' field ids and
// groups, which the connectors do not otherwise know. A mapping to an
// action the registry does not have yields a placeholder, so a table can
// name actions a connector is still growing.
//
// The package does no I/O: the CLI reads the file and writes the result.
package importer
