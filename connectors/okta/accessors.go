package okta

import (
	"encoding/json"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/engine/connector"
)

// The Okta triggers give flows typed accessors for the objects events are
// about, so that a flow need not know where in target each one sits (group
// membership events list the user first and the group second, app
// assignments the user and then the app): trigger.user, trigger.group and
// trigger.app are the first target of type User, UserGroup and AppInstance,
// or null when the event has none.

// accessorTypes maps each accessor to the target type it picks.
var accessorTypes = [...]struct{ name, targetType string }{
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

// targetsOf says which accessors events of eventType set, by the target
// types Okta documents for it; nil when the type is not one of these
// families (then every accessor stays available).
func targetsOf(eventType string) []string {
	switch {
	case strings.HasPrefix(eventType, "group.user_membership."):
		return []string{"user", "group"}
	case strings.HasPrefix(eventType, "group.application_assignment."):
		return []string{"group", "app"}
	case strings.HasPrefix(eventType, "application.user_membership."):
		return []string{"user", "app"}
	case strings.HasPrefix(eventType, "group.lifecycle."), strings.HasPrefix(eventType, "group.profile."):
		return []string{"group"}
	case strings.HasPrefix(eventType, "application.lifecycle."):
		return []string{"app"}
	case strings.HasPrefix(eventType, "user.lifecycle."), strings.HasPrefix(eventType, "user.account."):
		return []string{"user"}
	}
	return nil
}

// eventOutputFor is trigger.* for a block listening to cfg's event_types:
// the accessors none of its event types can set are left out, so that
// validate refuses trigger.group in a flow on user.lifecycle.create.
func eventOutputFor(cfg cty.Value) cty.Type {
	keep := map[string]bool{}
	for _, et := range connector.Strings(cfg, "event_types") {
		targets := targetsOf(et)
		if targets == nil {
			return eventOutput
		}
		for _, a := range targets {
			keep[a] = true
		}
	}
	if len(keep) == 0 {
		return eventOutput
	}
	atys := map[string]cty.Type{}
	for name, ty := range eventOutput.AttributeTypes() {
		if _, isAccessor := accessorOutputs()[name]; !isAccessor || keep[name] {
			atys[name] = ty
		}
	}
	return cty.Object(atys)
}
