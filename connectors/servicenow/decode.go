package servicenow

// decodeRecord reads a {"result": {...}} answer as the record's values
// (flatten with "value"). ok is false when there is no result object.
func decodeRecord(b []byte) (rec map[string]string, ok bool, err error) {
	var env struct {
		Result map[string]any `json:"result"`
	}
	if err := decodeJSON(b, &env); err != nil || env.Result == nil {
		return nil, false, err
	}
	return flatten(env.Result, "value"), true, nil
}
