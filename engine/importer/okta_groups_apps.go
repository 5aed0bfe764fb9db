package importer

import "strings"

// The Okta cards of groups, apps and the System Log. Their outputs are
// reshaped where Okta Workflows names the fields of a record otherwise
// than cardflow does (Okta's ID, Profile.Name; cardflow's id, name), so
// that the paths later cards read on them (a Filter's x.ID, a helper
// flow's Profile.Name) keep working.

// Okta Workflows' records, rebuilt from cardflow's: %s is the record.
const (
	oktaGroupRecord = `{ ID = %s.id, Name = %s.name, Description = %s.description, Type = %s.type, Profile = { Name = %s.name, Description = %s.description } }`
	oktaUserRecord  = `{ ID = %s.id, Status = %s.status, Created = %s.created, Activated = %s.activated, "Status Changed" = %s.status_changed, "Last Login" = %s.last_login, "Last Updated" = %s.last_updated, "Password Changed" = %s.password_changed, Login = %s.login, Email = %s.email, "First Name" = %s.first_name, "Last Name" = %s.last_name, Profile = %s.profile }`
	oktaAppRecord   = `{ ID = %s.id, Name = %s.name, Label = %s.label, Status = %s.status, "Sign On Mode" = %s.sign_on_mode, Created = %s.created, "Last Updated" = %s.last_updated }`
	// An app user is Okta's assignment of a user to an app; cardflow's
	// output has no app profile, sync state or external id.
	oktaAppUserRecord  = `{ "System Properties" = { "User ID" = %s.id, Created = %s.created, "Last Updated" = %s.last_updated, Scope = %s.scope, Status = %s.status, Credentials = { Username = %s.user_name } } }`
	oktaAppGroupRecord = `{ ID = %s.id, "Last Updated" = %s.last_updated, Priority = %s.priority }`
	oktaActorRecord    = `{ ID = %s.actor.id, Type = %s.actor.type, "Alternate ID" = %s.actor.alternateId, "Display Name" = %s.actor.displayName }`
	oktaClient         = `{ ID = %s.client.id, "IP Address" = %s.client.ipAddress, Zone = %s.client.zone, Device = %s.client.device, "User Agent" = %s.client.userAgent, "Geographical Context" = %s.client.geographicalContext }`
	oktaLogRecord      = `{ UUID = %s.uuid, Published = %s.published, "Event Type" = %s.eventType, Severity = %s.severity, "Display Message" = %s.displayMessage, Actor = ` + oktaActorRecord + `, Target = %s.target, Client = ` + oktaClient + `, "Raw Output" = %s }`
)

// records is the output template of a list of records at path, each
// rebuilt with record.
func records(path, record string) string {
	return "=[for x in %s" + path + " : " + fillRecord(record, "x") + "]"
}

// first is the output template of the first record at path.
func first(path, record string) string {
	return "=" + fillRecord(record, "%s"+path+"[0]")
}

var oktaGroupCards = map[string]*actionMapping{
	"searchGroups": {
		action: "okta.search_groups", connection: "okta",
		inputs: map[string]string{"parameters/resultSet": "-", "Inputs/Query": "query", "Inputs/profile.name": "-", "Inputs/type": "-",
			"Inputs/Custom Search Criteria": "-"},
		outputs: map[string]string{"ID": ".groups[0].id", "Profile": first(".groups", `{ Name = %s.name, Description = %s.description }`),
			"Groups": records(".groups", oktaGroupRecord)},
		// Okta's whole group and its dates are not in okta.search_groups'
		// output.
		unavailable: map[string]bool{"Raw Object": true, "Created": true},
		fallback:    searchGroupsAPI,
		build:       searchGroupsNative,
	},
	"readGroup": {
		action: "okta.read_group", connection: "okta",
		inputs:  map[string]string{"Group/ID": "group", "Group/id": "group"},
		outputs: map[string]string{"ID": ".id", "Type": ".type", "Profile": "={ Name = %s.name, Description = %s.description }"},
	},
	"createGroup": {
		action: "okta.create_group", connection: "okta",
		inputs:  map[string]string{"Group/Name": "name", "Group/Description": "description"},
		outputs: map[string]string{"ID": ".id", "Type": ".type", "Profile": "={ Name = %s.name, Description = %s.description }"},
	},
	"updateGroup": {
		action: "okta.update_group", connection: "okta",
		inputs:  map[string]string{"Group/ID": "group", "Group/Name": "name", "Group/Description": "description"},
		outputs: map[string]string{"ID": ".id", "Type": ".type", "Profile": "={ Name = %s.name, Description = %s.description }"},
	},
	"listGroupMembers": {
		action: "okta.list_group_members", connection: "okta",
		inputs:  map[string]string{"Group/groupId": "group", "Group/ID": "group", "List Criteria/Limit": "limit", "parameters/resultSet": "-"},
		outputs: map[string]string{"Users": records(".users", oktaUserRecord), "Records Streamed": ".count"},
		stream:  userRecord,
	},
	"assignGroupToApplication": {
		action: "okta.assign_group_to_app", connection: "okta",
		inputs:  map[string]string{"Group/groupID": "group", "Group/ID": "group", "Application/applicationID": "-", "parameters/application": "-"},
		outputs: map[string]string{"ID": ".group_id"},
		build:   appArg,
	},
	"removeUserFromApplication": {
		action: "okta.remove_user_from_app", connection: "okta",
		inputs: map[string]string{"User/id": "user", "User/ID": "user", "Application/applicationID": "-", "parameters/application": "-"},
		// Okta answers 204, or 404 when the user was not assigned (an
		// error there; cardflow succeeds with changed = false).
		outputs: map[string]string{"status": "=(%s.changed ? 204 : 404)"},
		build:   appArg,
	},
	"searchApplications": {
		action: "okta.search_apps", connection: "okta",
		inputs: map[string]string{"Search/Query": "query", "parameters/resultSet": "-"},
		outputs: map[string]string{"Applications": records(".apps", oktaAppRecord), "Records Streamed": ".count",
			"ID": ".apps[0].id", "Name": ".apps[0].name", "Label": ".apps[0].label", "Status": ".apps[0].status"},
	},
	"readApplication": {
		action: "okta.read_app", connection: "okta",
		inputs: map[string]string{"Application/applicationID": "-", "parameters/application": "-"},
		outputs: map[string]string{"ID": ".id", "Name": ".name", "Label": ".label", "Status": ".status",
			"Sign On Mode": ".sign_on_mode", "Created": ".created", "Last Updated": ".last_updated"},
		build: appArg,
	},
	"listUsersAssignedToApplication": {
		action: "okta.list_app_users", connection: "okta",
		inputs:  map[string]string{"Application/applicationID": "-", "parameters/application": "-", "List Criteria/Limit": "limit", "parameters/resultSet": "-"},
		outputs: map[string]string{"Users": records(".users", oktaAppUserRecord), "Records Streamed": ".count"},
		build:   appArg,
		stream:  appUserRecord,
	},
	"listGroupsAssignedToApplication": {
		action: "okta.list_app_groups", connection: "okta",
		inputs:  map[string]string{"Application/applicationID": "-", "parameters/application": "-", "List Criteria/Limit": "limit", "parameters/resultSet": "-"},
		outputs: map[string]string{"Groups": records(".groups", oktaAppGroupRecord), "Records Streamed": ".count"},
		build:   appArg,
		stream:  appGroupRecord,
	},
	"searchSystemLogs": {
		action: "okta.search_system_log", connection: "okta",
		inputs: map[string]string{"Date/since": "since", "Date/until": "until", "Search By/Custom Filter": "filter",
			"Search By/Keyword": "query", "Search By/Keywords": "query", "parameters/searchBy": "-", "parameters/resultSet": "-"},
		outputs: map[string]string{"System Logs": records(".events", oktaLogRecord), "Records Streamed": ".count",
			"UUID": ".events[0].uuid", "Published": ".events[0].published", "Event Type": ".events[0].eventType",
			"Severity": ".events[0].severity", "Display Message": ".events[0].displayMessage", "Target": ".events[0].target",
			"Actor": first(".events", oktaActorRecord), "Client": first(".events", oktaClient)},
		stream: logRecord,
	},
}

// searchGroupsAPI is Search Groups as GET /api/v1/groups, for cards whose
// Raw Object or Created later cards read.
var searchGroupsAPI = &actionMapping{
	action: "okta.api_call", connection: "okta",
	inputs:  map[string]string{"parameters/resultSet": "-", "Inputs/profile.name": "-", "Inputs/type": "-", "Inputs/Query": "-", "Inputs/Custom Search Criteria": "-"},
	fixed:   map[string]string{"method": `"GET"`, "path": `"/api/v1/groups"`},
	outputs: map[string]string{"Raw Object": ".body[0]", "Groups": records(".body", oktaRawGroupRecord), "ID": ".body[0].id", "Created": ".body[0].created", "Profile": "={ Name = %s.body[0].profile.name, Description = %s.body[0].profile.description }"},
	build: func(fc *flowConv, m *Method, b *block) bool {
		keys, vals := groupSearch(fc, m, "q", "search")
		if len(keys) > 0 {
			b.set("query", object(keys, vals))
		}
		return true
	},
}

// oktaRawGroupRecord is a group of Okta's API in Okta Workflows' names.
const oktaRawGroupRecord = `{ ID = %s.id, Created = %s.created, "Last Updated" = %s.lastUpdated, "Last Membership Updated" = %s.lastMembershipUpdated, "Object Class" = %s.objectClass, Type = %s.type, Profile = { Name = %s.profile.name, Description = %s.profile.description } }`

// searchGroupsNative sets okta.search_groups' search from Search Groups'
// name, type and custom criteria, and its limit from the result set: the
// first matching group, or all of them (up to the 10000 cardflow reads).
func searchGroupsNative(fc *flowConv, m *Method, b *block) bool {
	keys, vals := groupSearch(fc, m, "", "search")
	for _, k := range keys {
		b.set(k, vals[k])
	}
	if rs, _ := fc.inputLiteral(m, "parameters", "resultSet"); rs == "All Matching Records" {
		b.set("limit", "10000")
	} else {
		b.set("limit", "1")
	}
	return true
}

// groupSearch is the query of Search Groups: q (when query is not "") for
// its Query, and a search expression for its name, type and custom
// criteria, joined with and.
func groupSearch(fc *flowConv, m *Method, query, search string) ([]string, map[string]string) {
	var keys []string
	vals := map[string]string{}
	if q, _, ok := fc.inputByKey(m, "Inputs", "Query"); ok && query != "" {
		keys = append(keys, query)
		vals[query] = q
	}
	var parts []string
	if n, _, ok := fc.inputByKey(m, "Inputs", "profile.name"); ok {
		parts = append(parts, `profile.name eq \"${`+n+`}\"`)
	}
	if t, _, ok := fc.inputByKey(m, "Inputs", "type"); ok {
		parts = append(parts, `type eq \"${`+t+`}\"`)
	}
	if c, _, ok := fc.inputByKey(m, "Inputs", "Custom Search Criteria"); ok {
		parts = append(parts, `${`+c+`}`)
	}
	if len(parts) > 0 {
		keys = append(keys, search)
		vals[search] = `"` + strings.Join(parts, " and ") + `"`
	}
	return keys, vals
}

// appArg sets app from the card's Application input, or from the app
// picked in its options when that is an id.
func appArg(fc *flowConv, m *Method, b *block) bool {
	if app, _, ok := fc.inputByKey(m, "Application", "applicationID"); ok {
		b.set("app", app)
		return true
	}
	v, _ := fc.inputLiteral(m, "parameters", "application")
	// "-- Enter Application ID --" is the picker's prompt, not an app.
	if app, _ := v.(string); app != "" && !strings.HasPrefix(app, "--") {
		b.set("app", literal(app))
		return true
	}
	return false
}

// fillRecord puts ref for every %s of a record template.
func fillRecord(record, ref string) string {
	return strings.ReplaceAll(record, "%s", ref)
}
