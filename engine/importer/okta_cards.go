package importer

import "strings"

// The Okta connector's cards. Add a row when okta gains an action: the
// importer uses it as soon as the registry has the action.

var oktaUserOutputs = map[string]string{
	"ID": ".id", "Status": ".status", "Created": ".created", "Activated": ".activated",
	"Status Changed": ".status_changed", "Last Updated": ".last_updated", "Last Login": ".last_login",
	"Password Changed": ".password_changed",
	"login":            ".login", "email": ".email", "firstName": ".first_name", "lastName": ".last_name",
}

var oktaProfile = map[string]string{"Profile Properties": ".profile", "Profile": ".profile"}

var oktaAPICall = &actionMapping{
	action: "okta.api_call", connection: "okta",
	inputs:  map[string]string{"parameters/requestType": "method", "Relative URL": "path", "Query": "query", "Body": "body", "Headers": ""},
	outputs: map[string]string{"Status Code": ".status", "Body": ".body", "Headers": ".headers"},
	native:  (*flowConv).nativeAPICall,
}

var oktaMembership = &actionMapping{
	connection: "okta",
	inputs:     map[string]string{"Group/id": "group", "User/id": "user", "Group/ID": "group", "User/ID": "user"},
	// Okta answers 204 to both, member or not.
	outputs: map[string]string{"status": "=204"},
}

func withAction(mp *actionMapping, action string) *actionMapping {
	c := *mp
	c.action = action
	return &c
}

var oktaLifecycle = &actionMapping{
	connection: "okta",
	inputs:     map[string]string{"User/id": "user", "User/ID": "user", "parameters/sendEmail": "send_email"},
	outputs:    map[string]string{"statusCode": ".status"},
}

var oktaCards = joinCards(oktaUserCards, oktaGroupCards)

func joinCards(tables ...map[string]*actionMapping) map[string]*actionMapping {
	all := map[string]*actionMapping{}
	for _, t := range tables {
		for k, v := range t {
			all[k] = v
		}
	}
	return all
}

var oktaUserCards = map[string]*actionMapping{
	"readUser": {
		action: "okta.read_user", connection: "okta",
		inputs:   map[string]string{"ID or Login": "user"},
		outputs:  oktaUserOutputs,
		prefixes: oktaProfile,
	},
	"updateUser": {
		action: "okta.update_user_profile", connection: "okta",
		inputs:   map[string]string{"User/ID": "user", "parameters/updateSemantics": "-"},
		groups:   map[string]string{"Profile": "profile"},
		outputs:  oktaUserOutputs,
		prefixes: oktaProfile,
		note:     "Okta Workflows' update semantics (partial or full) is not carried over: okta.update_user_profile updates only the given attributes.",
	},
	"getUsersGroups": {
		action: "okta.list_user_groups", connection: "okta",
		inputs:  map[string]string{"User/ID": "user", "parameters/resultSet": "-"},
		outputs: map[string]string{"Groups": records(".groups", oktaGroupRecord), "Records Streamed": ".count"},
		stream:  groupRecord,
	},
	"searchUsers": {
		action: "okta.search_users", connection: "okta",
		inputs: map[string]string{"Query": "query", "parameters/resultSet": "-"},
		outputs: map[string]string{"Users": ".users", "Raw Output": ".users", "Records Streamed": ".count",
			"ID": ".users[0].id", "Status": ".users[0].status", "Login": ".users[0].login", "Email": ".users[0].email"},
	},
	"listUsersWithSearch": {
		action: "okta.search_users", connection: "okta",
		inputs:  map[string]string{"Custom Search Criteria": "search", "parameters/resultSet": "-", "Search Criteria/Limit": "limit"},
		outputs: map[string]string{"Users": ".users", "Records Streamed": ".count"},
		stream:  userRecord,
		note:    "only the custom search criteria are carried over: add the other criteria (status, dates) to search.",
	},
	"listUsersWithFilter": {
		action: "okta.search_users", connection: "okta",
		inputs:  map[string]string{"parameters/resultSet": "-"},
		outputs: map[string]string{"Users": ".users", "Raw Output": ".users", "Records Streamed": ".count"},
		stream:  userRecord,
		note:    "write the filter (status eq \"ACTIVE\") in filter: the card's filter inputs are not carried over.",
	},
	"addNewUserToGroup":   withAction(oktaMembership, "okta.add_user_to_group"),
	"addUserToGroup":      withAction(oktaMembership, "okta.add_user_to_group"),
	"removeUserFromGroup": withAction(oktaMembership, "okta.remove_user_from_group"),
	"activateUser":        withAction(oktaLifecycle, "okta.activate_user"),
	"deactivateUser":      withAction(oktaLifecycle, "okta.deactivate_user"),
	"suspendUser":         withAction(oktaLifecycle, "okta.suspend_user"),
	"unsuspendUser":       withAction(oktaLifecycle, "okta.unsuspend_user"),
	"resetPassword": {
		action: "okta.reset_password", connection: "okta",
		inputs: map[string]string{"User/userID": "user", "User/ID": "user", "User/ID or Username": "user",
			"parameters/email": "send_email", "parameters/convert": "-"},
		// Okta answers 200; the URL is there when no email is sent.
		outputs: map[string]string{"Status Code": "=200", "URL": ".reset_password_url"},
		build:   resetPassword,
	},
	"deleteUser": {
		action: "okta.delete_user", connection: "okta",
		inputs: map[string]string{"User/ID": "user", "User/id": "user", "User/Send Email?": "send_email", "parameters/sendEmail": "send_email"},
		// Okta answers 204, or 404 for a user that does not exist (an
		// error there; cardflow succeeds with changed = false).
		outputs: map[string]string{"Status Code": "=(%s.changed ? 204 : 404)"},
		note:    "Okta Workflows' Delete User only deactivates an active user (a second Delete User deletes it); okta.delete_user deactivates and deletes it at once.",
	},
	"assignUserToApplication": {
		action: "okta.assign_user_to_app", connection: "okta",
		inputs: map[string]string{"User/ID": "user", "User/id": "user", "Application/applicationID": "app", "parameters/application": "-"},
	},
	"assignUserToApplicationForSSO": {
		action: "okta.assign_user_to_app", connection: "okta",
		inputs: map[string]string{"User/ID": "user", "User/id": "user", "Application/applicationID": "-", "parameters/application": "-"},
		outputs: map[string]string{"System Properties/User ID": ".user_id", "System Properties/Status": ".status",
			"System Properties/Scope": `="USER"`},
		build: appArg,
	},
	"hTTPRequest": oktaAPICall,
	"createUser": {
		action: "okta.create_user", connection: "okta",
		inputs: map[string]string{"parameters/option": "-", "Activate/Activate": "activate", "Credentials/Password": "password"},
		groups: map[string]string{"Profile": "profile"},
		outputs: map[string]string{"ID": ".id", "Status": ".status", "Created": ".created", "Activated": ".activated",
			"Status Changed": ".status_changed", "Last Login": ".last_login", "Last Updated": ".last_updated", "Password Changed": ".password_changed"},
		// Okta's whole answer and the credentials it lists are not in
		// okta.create_user's output.
		unavailable: map[string]bool{"Raw Body": true, "Credentials": true},
		fallback:    createUserAPI,
		note:        "okta.create_user returns the user that has this login already (changed = false) where Okta Workflows' Create User fails; check card.<name>.changed if the flow must know.",
	},
	"createAnImportSession": identitySource("POST", "", map[string]string{"id": ".body.id", "identitySourceId": ".body.identitySourceId", "status": ".body.status", "importType": ".body.importType"}),
	"triggerImportSession":  identitySource("POST", "/start", map[string]string{"id": ".body.id", "identitySourceId": ".body.identitySourceId", "status": ".body.status", "importType": ".body.importType"}),
	"deleteImportSession":   identitySource("DELETE", "", map[string]string{"statusCode": ".status"}),
	"listImportSessions":    identitySource("GET", "", map[string]string{"Sessions": ".body"}),
	"bulkUserImport":        identitySource("POST", "/bulk-upsert", map[string]string{"recordsImported": ".status"}),
	"clearUserSessions": {
		action: "okta.clear_user_sessions", connection: "okta",
		inputs: map[string]string{"User/ID": "user", "User/id": "user", "User/Revoke oauthTokens?": "oauth_tokens"},
		// Okta answers 204.
		outputs: map[string]string{"Status Code": "=204"},
	},
}

// resetPassword refuses Reset Password's "Convert to Federated User"
// option, which okta.reset_password does not have.
func resetPassword(fc *flowConv, m *Method, b *block) bool {
	if v, _ := fc.inputLiteral(m, "parameters", "convert"); v == "Yes" {
		fc.notes[m.UUID] = strings.TrimSpace(fc.notes[m.UUID] + " Convert to Federated User is Yes: okta.reset_password does not convert users; call POST /api/v1/users/{id}/lifecycle/reset_password?provider=FEDERATION with okta.api_call.")
		return false
	}
	return true
}

// createUserAPI is Create User as POST /api/v1/users, for cards whose
// Raw Body or Credentials later cards read.
var createUserAPI = &actionMapping{
	action: "okta.api_call", connection: "okta",
	inputs:  map[string]string{"parameters/option": "-", "Activate/Activate": "-", "Credentials/Password": "-"},
	built:   map[string]bool{"Profile": true},
	fixed:   map[string]string{"method": `"POST"`, "path": `"/api/v1/users"`},
	outputs: map[string]string{"ID": ".body.id", "Status": ".body.status", "Created": ".body.created", "Activated": ".body.activated", "Raw Body": ".body", "Status Changed": ".body.statusChanged", "Last Login": ".body.lastLogin", "Last Updated": ".body.lastUpdated", "Password Changed": ".body.passwordChanged", "Credentials": ".body.credentials"},
	build:   createUser,
}

// createUser is POST /api/v1/users with the profile, the password and
// whether to activate.
func createUser(fc *flowConv, m *Method, b *block) bool {
	keys, vals := fc.groupObject(m, "Profile")
	body := []string{"profile"}
	bv := map[string]string{"profile": object(keys, vals)}
	if p, _, ok := fc.inputByKey(m, "Credentials", "Password"); ok {
		body = append(body, "credentials")
		bv["credentials"] = "{ password = { value = " + p + " } }"
	}
	b.set("body", object(body, bv))
	if a, _, ok := fc.inputByKey(m, "Activate", "Activate"); ok {
		b.set("query", "{ activate = tostring("+argValue("activate", a)+") }")
	}
	return true
}

// identitySource maps the Okta Workflows cards of Okta's Identity Source
// import API (sessions, bulk upsert and delete) to okta.api_call.
func identitySource(method, suffix string, outputs map[string]string) *actionMapping {
	return &actionMapping{
		action: "okta.api_call", connection: "okta",
		inputs: map[string]string{"parameters/application": "-", "Application/applicationID": "-", "Application/sessionId": "-",
			"parameters/importOperation": "-", "Data/Users": "-", "parameters/resultSet": "-"},
		fixed:   map[string]string{"method": `"` + method + `"`},
		outputs: outputs,
		note:    "Okta's Identity Source API (/api/v1/identity-sources): check the identity source id (the app instance id) in the path.",
		build: func(fc *flowConv, m *Method, b *block) bool {
			app, _, ok := fc.inputByKey(m, "Application", "applicationID")
			if !ok {
				app, _, ok = fc.inputByKey(m, "parameters", "application")
			}
			if !ok {
				return false
			}
			path := "/api/v1/identity-sources/${" + app + "}/sessions"
			if sess, _, ok := fc.inputByKey(m, "Application", "sessionId"); ok {
				path += "/${" + sess + "}"
			} else if suffix != "" || method == "DELETE" {
				return false
			}
			b.set("path", `"`+path+suffix+`"`)
			if m.Key == "bulkUserImport" {
				users, _, ok := fc.inputByKey(m, "Data", "Users")
				if !ok {
					return false
				}
				if o, _ := fc.inputLiteral(m, "parameters", "importOperation"); o == "delete" {
					b.attrs[len(b.attrs)-1].expr = `"` + path + `/bulk-delete"`
				}
				b.set("body", "{ entityType = \"USERS\", profiles = "+users+" }")
			}
			return true
		},
	}
}
