package servicenow

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/engine/connector"
)

// recordParams are the query parameters of every record request: references
// as plain sys_ids, values (not display values).
func recordParams() url.Values {
	return url.Values{"sysparm_exclude_reference_link": {"true"}}
}

func createRecordAction() *connector.Action {
	return connector.NewAction(Name, connector.Action{
		Name: "create_record", Effect: connector.Write, Input: createInput(), Output: createOutput,
		LintCompare: lintOutputCompare(""),
		CheckRemote: checkCreate,
		Lint:        lintFields(""),
		Doc: "Creates a record (POST /api/now/table/<table>). With idempotency_key the record is looked up first by idempotency_field, and an existing one is returned with created = false; " +
			"on a table without that field (ServiceNow ignores the condition) the card fails with kind invalid instead of returning another record." + valuesDoc,
	}, createRecord)
}

func createRecord(ctx context.Context, c *Client, call *connector.Call) (any, error) {
	const op = "servicenow.create_record"
	table := call.Input.String("table")
	fields := call.Input.StringMap("fields")
	if fields == nil {
		fields = map[string]string{}
	}
	if key := call.Input.String("idempotency_key"); key != "" {
		field := call.Input.String("idempotency_field")
		if field == "" {
			field = defaultIdemField
		}
		if v, ok := fields[field]; ok && v != key {
			return nil, connector.Errorf(connector.Invalid,
				"fields.%s is %q but idempotency_key is %q: the key is stored in %s, so drop the field or set idempotency_field to another field", field, v, key, field)
		}
		if err := checkQueryValue(cty.StringVal(key)); err != nil {
			return nil, &connector.Error{Kind: connector.Invalid, Op: op, Message: "idempotency_key " + err.Error()}
		}
		return createIdempotent(ctx, c, op, table, field, key, fields)
	}
	row, err := c.record(ctx, &request{op: op, method: http.MethodPost, path: tablePath(table), query: recordParams(), body: fields})
	if err != nil {
		return nil, err
	}
	return createValue(table, row, true), nil
}

// createIdempotent creates a record unless one with field = key exists,
// and never while an earlier create of it may still commit (ambiguous.go).
func createIdempotent(ctx context.Context, c *Client, op, table, field, key string, fields map[string]string) (cty.Value, error) {
	q := field + "=" + key + "^ORDERBYsys_created_on"
	ck := createKey(table, field, key)
	existing, err := c.first(ctx, op, table, q)
	if err != nil {
		return cty.NilVal, err
	}
	if existing != nil {
		if err := sameKey(op, table, field, key, existing); err != nil {
			return cty.NilVal, err
		}
		c.creates.resolved(ck)
		return createValue(table, existing, false), nil
	}
	if until, ok := c.creates.until(ck, time.Now()); ok {
		return cty.NilVal, stillCommitting(op, field, key, until)
	}
	fields[field] = key
	sent := time.Now()
	row, err := c.record(ctx, &request{op: op, method: http.MethodPost, path: tablePath(table), query: recordParams(), body: fields})
	if err == nil {
		return createValue(table, row, true), nil
	}
	if !answerLost(err) {
		return cty.NilVal, err
	}
	until := c.creates.lost(ck, sent, time.Now())
	if ctx.Err() == nil {
		// It may have committed already: a look now can save the wait.
		if existing, lerr := c.first(ctx, op, table, q); lerr == nil && existing != nil && sameKey(op, table, field, key, existing) == nil {
			c.creates.resolved(ck)
			return createValue(table, existing, true), nil
		}
	}
	return cty.NilVal, lostCreate(op, field, key, until, err)
}

// sameKey checks that the record the lookup by field = key found carries
// the key. ServiceNow ignores a condition on a field the table does not
// have, so on an instance without the column the lookup finds any record:
// returning it as this one would be wrong, and creating one would store
// no key and create again on every retry.
func sameKey(op, table, field, key string, rec map[string]string) error {
	// Conditions on strings compare case-insensitively on the platform.
	if v, ok := rec[field]; ok && strings.EqualFold(v, key) {
		return nil
	}
	found := rec["number"]
	if found == "" {
		found = rec["sys_id"]
	}
	return &connector.Error{Kind: connector.Invalid, Op: op, Message: fmt.Sprintf(
		"the %s table of this instance has no field %s: ServiceNow ignored the condition %s=%s and found %s, another record. "+
			"Set idempotency_field to a field the table has, or have the instance's admin add the column",
		table, field, field, key, found)}
}

func readRecordAction() *connector.Action {
	return connector.NewAction(Name, connector.Action{
		Name: "read_record", Effect: connector.Read, Input: readInput(), Output: recordOutput,
		LintCompare: lintOutputCompare(""),
		CheckRemote: checkTable,
		Doc:         "Reads one record by sys_id or number; fails with kind not_found when there is none." + valuesDoc,
	}, readRecord)
}

func readRecord(ctx context.Context, c *Client, call *connector.Call) (any, error) {
	const op = "servicenow.read_record"
	table := call.Input.String("table")
	if sysID := call.Input.String("sys_id"); sysID != "" {
		row, err := c.record(ctx, &request{op: op, method: http.MethodGet, path: tablePath(table, sysID), query: recordParams()})
		if err != nil {
			return nil, err
		}
		return recordValue(table, row), nil
	}
	row, err := c.byNumber(ctx, op, table, call.Input.String("number"))
	if err != nil {
		return nil, err
	}
	return recordValue(table, row), nil
}

func updateRecordAction() *connector.Action {
	return connector.NewAction(Name, connector.Action{
		Name: "update_record", Effect: connector.Write, Input: updateInput(), Output: recordOutput,
		LintCompare: lintOutputCompare(""),
		CheckRemote: checkTable,
		Lint:        lintFields(""),
		Doc:         "Changes the given fields of a record (PATCH) and returns the whole record." + valuesDoc,
	}, updateRecord)
}

func updateRecord(ctx context.Context, c *Client, call *connector.Call) (any, error) {
	const op = "servicenow.update_record"
	table := call.Input.String("table")
	row, err := c.patch(ctx, op, table, call.Input.String("sys_id"), call.Input.StringMap("fields"))
	if err != nil {
		return nil, err
	}
	return recordValue(table, row), nil
}

func deleteRecordAction() *connector.Action {
	return connector.NewAction(Name, connector.Action{
		Name: "delete_record", Effect: connector.Write, Input: deleteInput(), Output: deleteOutput,
		CheckRemote: checkTable,
		Doc:         "Deletes a record; fails with kind not_found when it does not exist.",
	}, deleteRecord)
}

func deleteRecord(ctx context.Context, c *Client, call *connector.Call) (any, error) {
	const op = "servicenow.delete_record"
	table, sysID := call.Input.String("table"), call.Input.String("sys_id")
	if sysID == "" {
		return nil, &connector.Error{Kind: connector.Invalid, Op: op, Message: "sys_id is empty"}
	}
	if _, err := c.send(ctx, &request{op: op, method: http.MethodDelete, path: tablePath(table, sysID)}); err != nil {
		return nil, err
	}
	return cty.ObjectVal(map[string]cty.Value{
		"table": cty.StringVal(table), "sys_id": cty.StringVal(sysID), "deleted": cty.True,
	}), nil
}

func searchRecordsAction() *connector.Action {
	return connector.NewAction(Name, connector.Action{
		Name: "search_records", Effect: connector.Read, Input: searchInput(), Output: searchOutput,
		CheckRemote: checkTable,
		Lint:        lintFields(""),
		Doc:         "Lists the records matching an encoded query, following the Link header's next pages up to limit. count is the number returned, total ServiceNow's X-Total-Count (null when absent)." + valuesDoc,
	}, searchRecords)
}

func searchRecords(ctx context.Context, c *Client, call *connector.Call) (any, error) {
	const op = "servicenow.search_records"
	in := call.Input
	table := in.String("table")
	limit := clamp(in.Int("limit", defaultLimit), maxLimit)
	pageSize := min(clamp(in.Int("page_size", defaultSearchPage), maxPageSize), limit)
	display := in.String("display_value")
	if display == "" {
		display = "false"
	}
	params := recordParams()
	params.Set("sysparm_query", stableOrder(in.String("query")))
	params.Set("sysparm_limit", strconv.Itoa(pageSize))
	params.Set("sysparm_display_value", display)
	if fs := in.Strings("fields"); len(fs) > 0 {
		params.Set("sysparm_fields", strings.Join(fs, ","))
	}
	rows, total, err := c.collect(ctx, &request{op: op, method: http.MethodGet, path: tablePath(table), query: params}, limit, pageSize)
	if err != nil {
		return nil, err
	}
	return searchValue(table, rows, total, display), nil
}

// searchValue is search_records' output. With display_value "all" records
// hold the values and display the display values; with "true" records hold
// the display values.
func searchValue(table string, rows []map[string]any, total int, display string) cty.Value {
	pick := "value"
	if display == "true" {
		pick = "display_value"
	}
	records := make([]cty.Value, len(rows))
	displays := make([]cty.Value, len(rows))
	for i, row := range rows {
		records[i] = mapValue(flatten(row, pick))
		displays[i] = mapValue(flatten(row, "display_value"))
	}
	out := map[string]cty.Value{
		"table":   cty.StringVal(table),
		"records": listValue(records),
		"display": cty.NullVal(cty.List(cty.Map(cty.String))),
		"count":   cty.NumberIntVal(int64(len(rows))),
		"total":   cty.NullVal(cty.Number),
	}
	if display == "all" {
		out["display"] = listValue(displays)
	}
	if total >= 0 {
		out["total"] = cty.NumberIntVal(int64(total))
	}
	return cty.ObjectVal(out)
}

// maxLimit bounds search_records' limit.
const maxLimit = 1 << 30

// collect follows the Link header's next pages until limit rows are read or
// there is no next page. An empty page is not the end: ACLs are applied after
// sysparm_limit, so a page can be empty while more rows follow. The number
// of pages is capped from the first X-Total-Count against rolling ends.
func (c *Client) collect(ctx context.Context, r *request, limit, pageSize int) ([]map[string]any, int, error) {
	var rows []map[string]any
	total, maxPages := -1, maxLimit
	for n := 0; n < maxPages; n++ {
		p, err := c.list(ctx, r)
		if err != nil {
			return nil, 0, err
		}
		if n == 0 && p.total >= 0 {
			total = p.total
			maxPages = p.total*3/(2*pageSize) + 3
		}
		rows = append(rows, p.rows...)
		if len(rows) >= limit || p.next == "" {
			break
		}
		r = &request{op: r.op, method: http.MethodGet, url: p.next}
	}
	if len(rows) > limit {
		rows = rows[:limit]
	}
	return rows, total, nil
}

// stableOrder appends ORDERBYsys_id so offset paging neither skips nor
// repeats rows; a trailing ^EQ terminator is dropped first.
func stableOrder(q string) string {
	q = strings.TrimSuffix(strings.TrimSpace(q), "^EQ")
	if strings.Contains(q, "ORDERBYsys_id") || strings.Contains(q, "ORDERBYDESCsys_id") {
		return q
	}
	if q == "" || q == "EQ" {
		return "ORDERBYsys_id"
	}
	return q + "^ORDERBYsys_id"
}

// first returns the values of the first record matching q, or nil.
func (c *Client) first(ctx context.Context, op, table, q string) (map[string]string, error) {
	params := recordParams()
	params.Set("sysparm_query", q)
	params.Set("sysparm_limit", "1")
	p, err := c.list(ctx, &request{op: op, method: http.MethodGet, path: tablePath(table), query: params})
	if err != nil || len(p.rows) == 0 {
		return nil, err
	}
	return flatten(p.rows[0], "value"), nil
}

// byNumber reads the record whose number is number.
func (c *Client) byNumber(ctx context.Context, op, table, number string) (map[string]string, error) {
	if number == "" {
		return nil, &connector.Error{Kind: connector.Invalid, Op: op, Message: "give sys_id or number"}
	}
	if strings.Contains(number, "^") {
		return nil, &connector.Error{Kind: connector.Invalid, Op: op, Message: fmt.Sprintf("number %q contains ^", number)}
	}
	row, err := c.first(ctx, op, table, "number="+number)
	if err != nil {
		return nil, err
	}
	if row == nil {
		return nil, &connector.Error{Kind: connector.NotFound, Op: op, Message: fmt.Sprintf("no %s record has number %s", table, number)}
	}
	return row, nil
}

// sysIDOf returns the input's sys_id, looking the number up when needed.
func (c *Client) sysIDOf(ctx context.Context, op, table string, in connector.Args) (string, error) {
	if id := in.String("sys_id"); id != "" {
		return id, nil
	}
	row, err := c.byNumber(ctx, op, table, in.String("number"))
	if err != nil {
		return "", err
	}
	return row["sys_id"], nil
}

// patch changes fields of a record and returns the whole record's values.
func (c *Client) patch(ctx context.Context, op, table, sysID string, fields map[string]string) (map[string]string, error) {
	if sysID == "" {
		return nil, &connector.Error{Kind: connector.Invalid, Op: op, Message: "sys_id is empty"}
	}
	if fields == nil {
		fields = map[string]string{}
	}
	return c.record(ctx, &request{op: op, method: http.MethodPatch, path: tablePath(table, sysID), query: recordParams(), body: fields})
}

// flatten turns a row into strings. Objects ({value, display_value, link})
// contribute their pick, falling back to the other.
func flatten(row map[string]any, pick string) map[string]string {
	out := make(map[string]string, len(row))
	for k, v := range row {
		out[k] = str(v, pick)
	}
	return out
}

func str(v any, pick string) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	case map[string]any:
		other := "display_value"
		if pick == "display_value" {
			other = "value"
		}
		if s, ok := x[pick]; ok {
			return str(s, pick)
		}
		return str(x[other], pick)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func mapValue(m map[string]string) cty.Value {
	if len(m) == 0 {
		return cty.MapValEmpty(cty.String)
	}
	vals := make(map[string]cty.Value, len(m))
	for k, v := range m {
		vals[k] = cty.StringVal(v)
	}
	return cty.MapVal(vals)
}

func listValue(vs []cty.Value) cty.Value {
	if len(vs) == 0 {
		return cty.ListValEmpty(cty.Map(cty.String))
	}
	return cty.ListVal(vs)
}

// recordAttrs are the attributes of a single-record action's output.
func recordAttrs(table string, rec map[string]string) map[string]cty.Value {
	return map[string]cty.Value{
		"sys_id": cty.StringVal(rec["sys_id"]),
		"number": cty.StringVal(rec["number"]),
		"table":  cty.StringVal(table),
		"record": mapValue(rec),
	}
}

func recordValue(table string, rec map[string]string) cty.Value {
	return cty.ObjectVal(recordAttrs(table, rec))
}

func createValue(table string, rec map[string]string, created bool) cty.Value {
	v := recordAttrs(table, rec)
	v["created"] = cty.BoolVal(created)
	return cty.ObjectVal(v)
}
