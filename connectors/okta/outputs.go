package okta

import "github.com/zclconf/go-cty/cty"

// withAttrs is obj with more attributes.
func withAttrs(obj cty.Type, more map[string]cty.Type) cty.Type {
	atys := map[string]cty.Type{}
	for k, v := range obj.AttributeTypes() {
		atys[k] = v
	}
	for k, v := range more {
		atys[k] = v
	}
	return cty.Object(atys)
}

var (
	// userChangeOutput is a user plus whether the card changed anything.
	userChangeOutput = withAttrs(userType, map[string]cty.Type{"changed": cty.Bool})

	// deleteOutput is the output of the delete actions: the id deleted,
	// and changed = false when there was nothing to delete.
	deleteOutput = cty.Object(map[string]cty.Type{"id": cty.String, "changed": cty.Bool})

	groupChangeOutput = withAttrs(groupType, map[string]cty.Type{"changed": cty.Bool})

	searchGroupsOutput = cty.Object(map[string]cty.Type{
		"groups": cty.List(groupType),
		"count":  cty.Number,
	})

	listMembersOutput = cty.Object(map[string]cty.Type{
		"group_id": cty.String,
		"users":    cty.List(userType),
		"count":    cty.Number,
	})

	// appType is one app instance.
	appType = stringObject("id", "name", "label", "status", "sign_on_mode", "created", "last_updated")

	searchAppsOutput = cty.Object(map[string]cty.Type{
		"apps":  cty.List(appType),
		"count": cty.Number,
	})

	listUserAppsOutput = cty.Object(map[string]cty.Type{
		"user_id": cty.String,
		"apps":    cty.List(appType),
		"count":   cty.Number,
	})

	// appUserType is one user's assignment to an app; scope is USER for a
	// direct assignment and GROUP for one through a group.
	appUserType = stringObject("id", "scope", "status", "user_name", "created", "last_updated")

	listAppUsersOutput = cty.Object(map[string]cty.Type{
		"app_id": cty.String,
		"users":  cty.List(appUserType),
		"count":  cty.Number,
	})

	// appGroupType is one group assignment of an app.
	appGroupType = cty.Object(map[string]cty.Type{"id": cty.String, "priority": cty.Number, "last_updated": cty.String})

	listAppGroupsOutput = cty.Object(map[string]cty.Type{
		"app_id": cty.String,
		"groups": cty.List(appGroupType),
		"count":  cty.Number,
	})

	appGroupChangeOutput = cty.Object(map[string]cty.Type{
		"app_id":     cty.String,
		"app_label":  cty.String,
		"group_id":   cty.String,
		"group_name": cty.String,
		"changed":    cty.Bool,
	})

	resetPasswordOutput = cty.Object(map[string]cty.Type{
		"user_id":            cty.String,
		"login":              cty.String,
		"status":             cty.String,
		"reset_password_url": cty.String,
	})

	// userOpOutput is the output of operations that change no status.
	userOpOutput = cty.Object(map[string]cty.Type{"user_id": cty.String, "login": cty.String})

	searchLogOutput = cty.Object(map[string]cty.Type{
		"events": cty.List(logEventType),
		"count":  cty.Number,
	})
)
