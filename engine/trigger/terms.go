package trigger

import (
	"encoding/json"
	"slices"
	"unicode/utf8"

	"github.com/cardflow/cardflow/engine/store"
)

// termKeys are the fields whose string values an operator looks an
// execution up by: the ids, logins, emails and display names of an Okta
// event's actor and targets, a ServiceNow record's number, sys_id and
// correlation id, the uuid of a delivery.
var termKeys = map[string]bool{
	"id": true, "alternateId": true, "login": true, "email": true, "displayName": true,
	"number": true, "sys_id": true, "correlation_id": true, "uuid": true,
}

// Terms returns the correlation terms of a trigger payload (a JSON
// object): the string values of termKeys fields up to four objects deep,
// normalized as stores keep them, sorted, at most store.MaxTerms. A
// payload that is not JSON has none.
func Terms(payload []byte) []string {
	if len(payload) == 0 {
		return nil
	}
	var v any
	if json.Unmarshal(payload, &v) != nil {
		return nil
	}
	var out []string
	collectTerms(v, 0, &out)
	slices.Sort(out)
	out = slices.Compact(out)
	if len(out) > store.MaxTerms {
		out = out[:store.MaxTerms]
	}
	return out
}

func collectTerms(v any, depth int, out *[]string) {
	if depth > 4 || len(*out) >= 4*store.MaxTerms {
		return
	}
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if s, ok := x.(string); ok {
				if termKeys[k] {
					if t := store.NormalizeTerm(s); t != "" && len(t) <= store.MaxTermLen && utf8.ValidString(t) {
						*out = append(*out, t)
					}
				}
				continue
			}
			collectTerms(x, depth+1, out)
		}
	case []any:
		for _, x := range v {
			collectTerms(x, depth+1, out)
		}
	}
}
