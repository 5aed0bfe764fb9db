package emulator

import "net/http"

// controlPrefix starts the paths of the emulator's own controls, beside
// `cardflow emulate`'s /_emulator/faults.
const controlPrefix = "/_emulator/"

// routes registers the Management API surface the emulator serves.
func (e *Emulator) routes() {
	m := http.NewServeMux()
	m.HandleFunc("GET /api/v1/users", e.handleListUsers)
	m.HandleFunc("POST /api/v1/users", e.handleCreateUser)
	m.HandleFunc("GET /api/v1/users/{id}", e.handleGetUser)
	m.HandleFunc("POST /api/v1/users/{id}", e.handleUpdateUser)
	m.HandleFunc("PUT /api/v1/users/{id}", e.handleUpdateUser)
	m.HandleFunc("DELETE /api/v1/users/{id}", e.handleDeleteUser)
	m.HandleFunc("POST /api/v1/users/{id}/lifecycle/{op}", e.handleUserLifecycle)
	m.HandleFunc("GET /api/v1/users/{id}/groups", e.handleUserGroups)
	m.HandleFunc("DELETE /api/v1/users/{id}/sessions", e.handleClearSessions)
	m.HandleFunc("POST /api/v1/users/{id}/credentials/change_password", e.handleChangePassword)

	m.HandleFunc("GET /api/v1/groups", e.handleListGroups)
	m.HandleFunc("POST /api/v1/groups", e.handleCreateGroup)
	m.HandleFunc("GET /api/v1/groups/{gid}", e.handleGetGroup)
	m.HandleFunc("PUT /api/v1/groups/{gid}", e.handleUpdateGroup)
	m.HandleFunc("DELETE /api/v1/groups/{gid}", e.handleDeleteGroup)
	m.HandleFunc("GET /api/v1/groups/{gid}/users", e.handleGroupUsers)
	m.HandleFunc("GET /api/v1/groups/{gid}/apps", e.handleGroupApps)
	m.HandleFunc("GET /api/v1/groups/rules", e.handleListGroupRules)
	m.HandleFunc("PUT /api/v1/groups/{gid}/users/{uid}", e.handleMembership)
	m.HandleFunc("DELETE /api/v1/groups/{gid}/users/{uid}", e.handleMembership)

	m.HandleFunc("GET /api/v1/apps", e.handleListApps)
	m.HandleFunc("POST /api/v1/apps", e.handleCreateApp)
	m.HandleFunc("GET /api/v1/apps/{aid}", e.handleGetApp)
	m.HandleFunc("PUT /api/v1/apps/{aid}", e.handleUpdateApp)
	m.HandleFunc("DELETE /api/v1/apps/{aid}", e.handleDeleteApp)
	m.HandleFunc("POST /api/v1/apps/{aid}/lifecycle/{op}", e.handleAppLifecycle)
	m.HandleFunc("GET /api/v1/apps/{aid}/users", e.handleListAppUsers)
	m.HandleFunc("POST /api/v1/apps/{aid}/users", e.handleAssignUser)
	m.HandleFunc("GET /api/v1/apps/{aid}/users/{uid}", e.handleGetAppUser)
	m.HandleFunc("DELETE /api/v1/apps/{aid}/users/{uid}", e.handleDeleteAppUser)

	m.HandleFunc("GET /api/v1/apps/{aid}/groups", e.handleListAppGroups)
	m.HandleFunc("GET /api/v1/apps/{aid}/groups/{gid}", e.handleGetAppGroup)
	m.HandleFunc("PUT /api/v1/apps/{aid}/groups/{gid}", e.handleAssignGroup)
	m.HandleFunc("DELETE /api/v1/apps/{aid}/groups/{gid}", e.handleDeleteAppGroup)

	m.HandleFunc("GET /api/v1/logs", e.handleListLogs)

	m.HandleFunc("GET /api/v1/eventHooks", e.handleListHooks)
	m.HandleFunc("POST /api/v1/eventHooks", e.handleCreateHook)
	m.HandleFunc("GET /api/v1/eventHooks/{hid}", e.handleGetHook)
	m.HandleFunc("PUT /api/v1/eventHooks/{hid}", e.handleUpdateHook)
	m.HandleFunc("DELETE /api/v1/eventHooks/{hid}", e.handleDeleteHook)
	m.HandleFunc("POST /api/v1/eventHooks/{hid}/lifecycle/{op}", e.handleHookLifecycle)
	e.mux = m

	// The emulator's own controls, outside Okta's API: what the users of
	// the org do in their browsers. No API token, faults or rate limits.
	ctl := http.NewServeMux()
	ctl.HandleFunc("POST "+controlPrefix+"users/{id}/welcome", e.handleWelcome)
	e.control = ctl
}
