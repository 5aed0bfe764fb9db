package servicenow

import (
	"errors"
	"fmt"
	"maps"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/connectors/servicenow/query"
	"github.com/cardflow/cardflow/engine/connector"
)

// Defaults of the connection and trigger arguments.
const (
	defaultTimeout    = "30s"
	defaultAmbiguous  = "60s"
	defaultRateLimit  = 20
	defaultSafetyLag  = "2s"
	defaultOverlap    = "10s"
	defaultPageSize   = 200
	defaultLimit      = 100
	defaultIdemField  = "correlation_id"
	maxPageSize       = 10000
	defaultSearchPage = 1000
)

func connectionSchema() connector.Schema {
	return connector.Schema{
		{Name: "instance_url", Type: cty.String, Required: true, Check: checkInstanceURL, Pins: true,
			Doc: "Base URL of the instance, e.g. https://acme.service-now.com. Plain http is accepted only for loopback hosts (emulators). " +
				"Executions stay with the instance they started on: after a change of instance_url, those begun before it are not resumed or replayed."},
		{Name: "username", Type: cty.String,
			Doc: "Integration user for basic auth, or for the OAuth password grant together with client_id. Also the user whose own updates the triggers ignore."},
		{Name: "password", Type: cty.String, Sensitive: true, Doc: "Password of username."},
		{Name: "client_id", Type: cty.String,
			Doc: "OAuth client id: tokens come from POST /oauth_token.do (grant password when username and password are set, client_credentials otherwise)."},
		{Name: "client_secret", Type: cty.String, Sensitive: true, Doc: "OAuth client secret."},
		{Name: "api_key", Type: cty.String, Sensitive: true, Doc: "API key sent as the x-sn-apikey header (API Key and HMAC Authentication plugin). It takes precedence over basic auth; OAuth takes precedence over both."},
		{Name: "timeout", Type: cty.String, Default: cty.StringVal(defaultTimeout), Check: checkPositiveDuration,
			Doc: "Timeout of one HTTP request, as a duration (\"30s\")."},
		{Name: "rate_limit", Type: cty.Number, Default: cty.NumberIntVal(defaultRateLimit), Check: checkPositiveNumber,
			Doc: "Requests per second this connection sends at most; requests beyond it wait."},
		{Name: "ambiguous_create_wait", Type: cty.String, Default: cty.StringVal(defaultAmbiguous), Check: checkPositiveDuration,
			Doc: "How long the instance may still commit a create_record whose answer was lost (timeout, connection reset, 504): the longest a Table API transaction runs on the instance. " +
				"Before creating again with the same idempotency_key, cardflow looks the record up, and if it is not there waits until this long after the lost request was sent and looks again."},
	}
}

// recordOutput is card.<name> of the single-record actions.
var recordOutput = cty.Object(map[string]cty.Type{
	"sys_id": cty.String,
	"number": cty.String,
	"table":  cty.String,
	"record": cty.Map(cty.String),
})

var createOutput = cty.Object(map[string]cty.Type{
	"sys_id":  cty.String,
	"number":  cty.String,
	"table":   cty.String,
	"created": cty.Bool,
	"record":  cty.Map(cty.String),
})

var searchOutput = cty.Object(map[string]cty.Type{
	"table":   cty.String,
	"records": cty.List(cty.Map(cty.String)),
	"display": cty.List(cty.Map(cty.String)),
	"count":   cty.Number,
	"total":   cty.Number,
})

var deleteOutput = cty.Object(map[string]cty.Type{
	"table":   cty.String,
	"sys_id":  cty.String,
	"deleted": cty.Bool,
})

var apiCallOutput = cty.Object(map[string]cty.Type{
	"status":  cty.Number,
	"headers": cty.Map(cty.String),
	"body":    cty.DynamicPseudoType,
})

// triggerOutput is the type of trigger.* in flows of both record triggers.
var triggerOutput = cty.Object(map[string]cty.Type{
	"record":    cty.Map(cty.String),
	"table":     cty.String,
	"sys_id":    cty.String,
	"number":    cty.String,
	"operation": cty.String,
})

// recordOutputFor is trigger.* for a record trigger block with config cfg.
// A block that lists the fields to fetch gets records of those fields and
// the bookkeeping ones, and no other: the instance sends no other
// (sysparm_fields), so validate refuses a reference to one, and suggests
// the listed field it is closest to. Without a list, a record holds every
// field of the table, which only the instance knows.
func recordOutputFor(cfg cty.Value) cty.Type {
	fs := connector.Strings(cfg, "fields")
	if len(fs) == 0 {
		return triggerOutput
	}
	fields := make(map[string]cty.Type, len(fs)+len(bookkeeping))
	for _, f := range append(slices.Clip(fs), bookkeeping...) {
		fields[f] = cty.String
	}
	attrs := maps.Clone(triggerOutput.AttributeTypes())
	attrs["record"] = cty.Object(fields)
	return cty.Object(attrs)
}

func tableAttr() connector.Attribute {
	return connector.Attribute{Name: "table", Type: cty.String, Required: true, Check: checkName,
		Doc: "Table name, e.g. incident."}
}

func sysIDAttr(required bool) connector.Attribute {
	return connector.Attribute{Name: "sys_id", Type: cty.String, Required: required, Doc: "The record's sys_id."}
}

func numberAttr() connector.Attribute {
	return connector.Attribute{Name: "number", Type: cty.String,
		Doc: "The record's number (INC0010042), used when sys_id is not given."}
}

func fieldsAttr(required bool, doc string) connector.Attribute {
	return connector.Attribute{Name: "fields", Type: cty.Map(cty.String), Required: required, Doc: doc}
}

func createInput() connector.Schema {
	return connector.Schema{
		tableAttr(),
		fieldsAttr(true, "Field values of the new record, as strings."),
		{Name: "idempotency_key", Type: cty.String, Check: checkQueryValue,
			Doc: "When set, the record is first looked up by idempotency_field = key and returned with created = false if it exists; otherwise it is created with that field set to the key. A retried or replayed execution then never creates a second record."},
		{Name: "idempotency_field", Type: cty.String, Default: cty.StringVal(defaultIdemField), Check: checkName,
			Doc: "Field that carries idempotency_key."},
	}
}

func readInput() connector.Schema {
	return connector.Schema{tableAttr(), sysIDAttr(false), numberAttr()}
}

func updateInput() connector.Schema {
	return connector.Schema{tableAttr(), sysIDAttr(true), fieldsAttr(true, "Fields to change, as strings; the others keep their values. An empty string clears a field.")}
}

func searchInput() connector.Schema {
	return connector.Schema{
		tableAttr(),
		{Name: "query", Type: cty.String, Check: checkQuery, Doc: "Encoded query (sysparm_query), e.g. active=true^state=6. ^ORDERBYsys_id is appended for stable paging."},
		{Name: "fields", Type: cty.List(cty.String), Doc: "Fields to return (sysparm_fields); all when absent."},
		{Name: "limit", Type: cty.Number, Default: cty.NumberIntVal(defaultLimit), Check: checkPositiveNumber,
			Doc: "Maximum number of records; pages are followed until it is reached."},
		{Name: "page_size", Type: cty.Number, Default: cty.NumberIntVal(defaultSearchPage), Check: checkPageSize,
			Doc: "Records per request (sysparm_limit)."},
		{Name: "display_value", Type: cty.String, Default: cty.StringVal("false"), Check: checkDisplayValue,
			Doc: "\"false\": records hold values; \"true\": records hold display values; \"all\": records hold values and display holds the display values."},
	}
}

func deleteInput() connector.Schema {
	return connector.Schema{tableAttr(), sysIDAttr(true)}
}

func resolveInput(closeRequired bool) connector.Schema {
	return connector.Schema{
		sysIDAttr(false), numberAttr(),
		{Name: "close_code", Type: cty.String, Required: closeRequired,
			Doc: "Resolution code (close_code), one of the instance's choices, e.g. \"Solution provided\"."},
		{Name: "close_notes", Type: cty.String, Required: closeRequired, Doc: "Resolution notes (close_notes)."},
		fieldsAttr(false, "Other fields to set in the same update, e.g. work_notes."),
	}
}

func workNoteInput() connector.Schema {
	return connector.Schema{
		{Name: "table", Type: cty.String, Default: cty.StringVal("incident"), Check: checkName, Doc: "Table name; work notes exist on task tables."},
		sysIDAttr(false), numberAttr(),
		{Name: "note", Type: cty.String, Required: true, Doc: "Text of the note."},
		{Name: "customer_visible", Type: cty.Bool, Default: cty.False,
			Doc: "Write an additional comment (comments, visible to the caller) instead of a work note."},
	}
}

func apiCallInput() connector.Schema {
	return connector.Schema{
		{Name: "method", Type: cty.String, Default: cty.StringVal("GET"), Check: checkMethod, Doc: "GET, POST, PUT, PATCH or DELETE."},
		{Name: "path", Type: cty.String, Required: true, Check: checkPath,
			Doc: "Path relative to the instance, e.g. /api/now/table/sys_user_group."},
		{Name: "query", Type: cty.Map(cty.String), CredentialKeys: true, Doc: "Query parameters."},
		{Name: "headers", Type: cty.Map(cty.String), CredentialKeys: true, Doc: "Extra request headers; authentication and content type are set for you."},
		{Name: "body", Type: cty.DynamicPseudoType,
			Doc: "Request body: a string is sent as it is (JSON text, or another format with its Content-Type in headers), any other value as JSON."},
	}
}

func triggerConfig() connector.Schema {
	return connector.Schema{
		tableAttr(),
		{Name: "query", Type: cty.String, Check: checkQuery,
			Doc: "Encoded query that records must match (the domain filter), e.g. correlation_display=cardflow^state=6. Its ORDERBY clauses are ignored: the trigger orders by timestamp and sys_id to page."},
		{Name: "fields", Type: cty.List(cty.String),
			Doc: "Fields to fetch; sys_id, number and the bookkeeping fields are always added. All fields when absent. trigger.record then holds these fields only (the instance sends no other), and validate refuses a reference to any other."},
		{Name: "ignore_own_updates", Type: cty.Bool, Default: cty.True,
			Doc: "Skip records last written by the connection's username, so a flow's own writes do not trigger it."},
		{Name: "backfill", Type: cty.String, Check: checkPositiveDuration,
			Doc: "On the first start, also deliver records of this long ago (\"24h\"). By default the trigger starts at now and delivers nothing from the past."},
		{Name: "safety_lag", Type: cty.String, Default: cty.StringVal(defaultSafetyLag), Check: checkDuration,
			Doc: "Records newer than now minus this are left for the next tick, so transactions still committing are not skipped."},
		{Name: "overlap", Type: cty.String, Default: cty.StringVal(defaultOverlap), Check: checkDuration,
			Doc: "Each tick re-reads this much before the last seen timestamp, to catch late commits; duplicates are dropped."},
		{Name: "page_size", Type: cty.Number, Default: cty.NumberIntVal(defaultPageSize), Check: checkPageSize,
			Doc: "Records per request."},
	}
}

func known(v cty.Value) bool { return v != cty.NilVal && v.IsKnown() && !v.IsNull() }

func checkInstanceURL(v cty.Value) error {
	if !known(v) {
		return nil
	}
	_, err := parseInstanceURL(v.AsString())
	return err
}

func parseInstanceURL(s string) (*url.URL, error) {
	// Messages show the URL without user information and query, which
	// may hold a password or a key.
	shown := connector.URLForError(strings.TrimSpace(s))
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("instance_url %q is not an absolute URL; use https://<instance>.service-now.com", shown)
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !isLoopback(u.Hostname()) {
			return nil, fmt.Errorf("instance_url %q uses http; use https (plain http is only allowed for localhost emulators)", shown)
		}
	default:
		return nil, fmt.Errorf("instance_url %q must start with https://", shown)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, fmt.Errorf("instance_url %q must not carry credentials, a query or a fragment", shown)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	return u, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func parseDuration(v cty.Value, name string) (time.Duration, error) {
	if !known(v) {
		return 0, nil
	}
	d, err := time.ParseDuration(v.AsString())
	if err != nil {
		return 0, fmt.Errorf("%s: %q is not a duration; write it like \"30s\", \"5m\" or \"1h\"", name, v.AsString())
	}
	if d < 0 {
		return 0, fmt.Errorf("%s: %q must not be negative", name, v.AsString())
	}
	return d, nil
}

func checkDuration(v cty.Value) error {
	_, err := parseDuration(v, "duration")
	return err
}

func checkPositiveDuration(v cty.Value) error {
	d, err := parseDuration(v, "duration")
	if err == nil && known(v) && d == 0 {
		return errors.New("the duration must be greater than zero")
	}
	return err
}

func checkPositiveNumber(v cty.Value) error {
	if !known(v) {
		return nil
	}
	if v.AsBigFloat().Sign() <= 0 {
		return errors.New("the number must be greater than zero")
	}
	return nil
}

func checkPageSize(v cty.Value) error {
	if err := checkPositiveNumber(v); err != nil || !known(v) {
		return err
	}
	if f, _ := v.AsBigFloat().Float64(); f > maxPageSize {
		return fmt.Errorf("page_size must be at most %d", maxPageSize)
	}
	return nil
}

func checkDisplayValue(v cty.Value) error {
	if !known(v) {
		return nil
	}
	switch v.AsString() {
	case "false", "true", "all":
		return nil
	}
	return fmt.Errorf("display_value must be \"false\", \"true\" or \"all\", not %q", v.AsString())
}

func checkQuery(v cty.Value) error {
	if !known(v) {
		return nil
	}
	_, err := query.Parse(v.AsString())
	return err
}

// checkQueryValue rejects values that an encoded query cannot carry: there
// is no escape for ^ in ServiceNow's query language.
func checkQueryValue(v cty.Value) error {
	if !known(v) {
		return nil
	}
	if strings.Contains(v.AsString(), "^") {
		return fmt.Errorf("%q contains ^, which an encoded query cannot express; remove it", v.AsString())
	}
	return nil
}

func checkName(v cty.Value) error {
	if !known(v) {
		return nil
	}
	s := v.AsString()
	if s == "" {
		return errors.New("the name must not be empty")
	}
	for _, r := range s {
		if !(r == '_' || r == '.' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return fmt.Errorf("%q is not a ServiceNow table or field name (letters, digits and _ only)", s)
		}
	}
	return nil
}

func checkMethod(v cty.Value) error {
	if !known(v) {
		return nil
	}
	switch strings.ToUpper(v.AsString()) {
	case "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD":
		return nil
	}
	return fmt.Errorf("method must be GET, POST, PUT, PATCH or DELETE, not %q", v.AsString())
}

func checkPath(v cty.Value) error {
	if !known(v) {
		return nil
	}
	s := v.AsString()
	if !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") {
		return fmt.Errorf("path %q must be relative to the instance and start with /, e.g. /api/now/table/incident", s)
	}
	return nil
}
