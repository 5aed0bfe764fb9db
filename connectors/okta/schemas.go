package okta

import "github.com/zclconf/go-cty/cty"

// profileAttributes are the attributes of Okta's default user profile
// (Universal Directory base schema). Custom attributes are not part of the
// typed output: read them with api_call.
var profileAttributes = []string{
	"login", "email", "firstName", "lastName", "displayName", "department",
	"title", "manager", "managerId", "employeeNumber", "mobilePhone",
	"organization", "division", "costCenter", "userType", "locale",
	"timezone", "countryCode", "secondEmail", "nickName", "middleName",
	"honorificPrefix", "honorificSuffix", "city", "state", "zipCode",
	"streetAddress", "preferredLanguage", "profileUrl", "primaryPhone",
	"postalAddress",
}

// stringObject is an object type whose attributes are all strings.
func stringObject(names ...string) cty.Type {
	atys := make(map[string]cty.Type, len(names))
	for _, n := range names {
		atys[n] = cty.String
	}
	return cty.Object(atys)
}

var (
	// profileType is the type of user.profile: the standard attributes,
	// all strings (Okta's numbers and booleans arrive as text).
	profileType = stringObject(profileAttributes...)

	// userType is the output of read_user and the element of user lists.
	userType = cty.Object(map[string]cty.Type{
		"id":               cty.String,
		"status":           cty.String,
		"created":          cty.String,
		"activated":        cty.String,
		"status_changed":   cty.String,
		"last_updated":     cty.String,
		"last_login":       cty.String,
		"password_changed": cty.String,
		"login":            cty.String,
		"email":            cty.String,
		"first_name":       cty.String,
		"last_name":        cty.String,
		"display_name":     cty.String,
		"profile":          profileType,
	})

	// groupType is one Okta group.
	groupType = stringObject("id", "name", "description", "type")

	searchUsersOutput = cty.Object(map[string]cty.Type{
		"users": cty.List(userType),
		"count": cty.Number,
	})

	listUserGroupsOutput = cty.Object(map[string]cty.Type{
		"user_id": cty.String,
		"groups":  cty.List(groupType),
		"count":   cty.Number,
	})

	// membershipOutput is the output of the group membership actions.
	// changed is false when the user already was (or was not) a member.
	membershipOutput = cty.Object(map[string]cty.Type{
		"user_id":    cty.String,
		"group_id":   cty.String,
		"group_name": cty.String,
		"changed":    cty.Bool,
	})

	// appAssignmentOutput is the output of the app assignment actions.
	// changed is false when the assignment already was in the wanted state.
	appAssignmentOutput = cty.Object(map[string]cty.Type{
		"user_id":   cty.String,
		"app_id":    cty.String,
		"app_label": cty.String,
		"changed":   cty.Bool,
		"status":    cty.String,
	})

	// lifecycleOutput is the output of the lifecycle actions. changed is
	// false when the user already was in the target status.
	lifecycleOutput = cty.Object(map[string]cty.Type{
		"user_id":          cty.String,
		"login":            cty.String,
		"previous_status":  cty.String,
		"status":           cty.String,
		"changed":          cty.Bool,
		"activation_url":   cty.String,
		"activation_token": cty.String,
	})

	apiCallOutput = cty.Object(map[string]cty.Type{
		"status":  cty.Number,
		"headers": cty.Map(cty.String),
		"body":    cty.DynamicPseudoType,
	})
)

var (
	logActorType = stringObject("id", "type", "alternateId", "displayName")

	// logEventType is a System Log LogEvent: what event hooks deliver and
	// /api/v1/logs returns. Only the fields flows use are typed.
	logEventType = cty.Object(map[string]cty.Type{
		"uuid":           cty.String,
		"published":      cty.String,
		"eventType":      cty.String,
		"version":        cty.String,
		"displayMessage": cty.String,
		"severity":       cty.String,
		"actor":          logActorType,
		"target":         cty.List(logActorType),
		"outcome":        stringObject("result", "reason"),
		"client": cty.Object(map[string]cty.Type{
			"ipAddress": cty.String,
			"zone":      cty.String,
			"device":    cty.String,
			"id":        cty.String,
			"userAgent": stringObject("rawUserAgent", "os", "browser"),
			"geographicalContext": stringObject(
				"city", "state", "country", "postalCode"),
		}),
		"transaction": stringObject("type", "id"),
		"debugContext": cty.Object(map[string]cty.Type{
			"debugData": cty.Map(cty.String),
		}),
		"legacyEventType": cty.String,
	})

	// deliveryType describes how an event arrived: the event hook
	// delivery's eventId, source and eventTime, or for the System Log the
	// logs URL and the event's published time.
	deliveryType = stringObject("event_id", "source", "event_time")

	// eventOutput is trigger.* for both Okta triggers: the event, how it
	// arrived, and the accessors user, group and app (accessors.go).
	eventOutput = withAttrs(cty.Object(map[string]cty.Type{
		"event":    logEventType,
		"delivery": deliveryType,
	}), accessorOutputs())
)
