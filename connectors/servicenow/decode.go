package servicenow

import "github.com/cardflow/cardflow/connectors/servicenow/internal/flatjson"

// decodeRecord reads a {"result": {...}} answer as the record's values
// (flatten with "value"). The Table API writes a record with
// sysparm_exclude_reference_link=true as one object of strings; that shape
// is read here directly into strings, without encoding/json's reflection,
// the map of interfaces and the flatten after it (decoding a full incident
// was most of what create_record cost the engine). Anything else (a
// reference object, a number, another key beside result, trailing data)
// goes through decodeJSON and flatten as before, so every answer decodes
// to what it did. ok is false when there is no result object.
func decodeRecord(b []byte) (rec map[string]string, ok bool, err error) {
	if rec, ok := flatjson.Member(b, "result"); ok {
		return rec, true, nil
	}
	var env struct {
		Result map[string]any `json:"result"`
	}
	if err := decodeJSON(b, &env); err != nil || env.Result == nil {
		return nil, false, err
	}
	return flatten(env.Result, "value"), true, nil
}
