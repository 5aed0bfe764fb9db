package okta

import (
	"encoding/json"

	"github.com/zclconf/go-cty/cty"
)

// The Okta triggers give flows typed accessors for the objects events are
// about, so that a flow need not know where in target each one sits (group
// membership events list the user first and the group second, app
// assignments the user and then the app): trigger.user, trigger.group and
// trigger.app are the first target of type User, UserGroup and AppInstance,
// or null when the event has none.

// accessorTypes maps each accessor to the target type it picks.
var accessorTypes = []struct{ name, targetType string }{
	{"user", "User"},
	{"group", "UserGroup"},
	{"app", "AppInstance"},
}

// accessorOutputs are the accessor attributes of trigger.*.
func accessorOutputs() map[string]cty.Type {
	out := map[string]cty.Type{}
	for _, a := range accessorTypes {
		out[a.name] = logActorType
	}
	return out
}

type logTarget struct {
	ID          string `json:"id"`
	Type        string `json:"type"`
	AlternateID string `json:"alternateId"`
	DisplayName string `json:"displayName"`
}

// accessorsJSON is `,"user":…,"group":…,"app":…` for an event's target
// array (nulls when target is absent or not an array of objects).
func accessorsJSON(target []byte) []byte {
	var targets []logTarget
	if len(target) > 0 {
		_ = json.Unmarshal(target, &targets) // a malformed target leaves the accessors null
	}
	out := make([]byte, 0, 64)
	for _, a := range accessorTypes {
		out = append(out, `,"`...)
		out = append(out, a.name...)
		out = append(out, `":`...)
		picked := []byte("null")
		for _, t := range targets {
			if t.Type == a.targetType {
				if b, err := json.Marshal(t); err == nil {
					picked = b
				}
				break
			}
		}
		out = append(out, picked...)
	}
	return out
}
