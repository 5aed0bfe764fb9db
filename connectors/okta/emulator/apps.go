package emulator

import (
	"maps"
	"net/http"
	"strings"
	"time"
)

// App is an Okta application instance as the API returns it: the common
// fields of every sign-on mode, with the settings and credentials blocks
// echoed as Okta fills them in (see appTemplates).
type App struct {
	ID            string         `json:"id"`
	Name          string         `json:"name"`
	Label         string         `json:"label"`
	Status        string         `json:"status"`
	Created       Time           `json:"created"`
	LastUpdated   Time           `json:"lastUpdated"`
	SignOnMode    string         `json:"signOnMode"`
	Features      []string       `json:"features"`
	Accessibility map[string]any `json:"accessibility"`
	Visibility    map[string]any `json:"visibility"`
	Settings      map[string]any `json:"settings"`
	Credentials   map[string]any `json:"credentials"`
	Links         map[string]any `json:"_links"`
}

// AppUser is an application assignment as the API returns it.
type AppUser struct {
	ID              string         `json:"id"`
	ExternalID      *string        `json:"externalId"`
	Created         Time           `json:"created"`
	LastUpdated     Time           `json:"lastUpdated"`
	Scope           string         `json:"scope"`
	Status          string         `json:"status"`
	StatusChanged   Time           `json:"statusChanged"`
	PasswordChanged *Time          `json:"passwordChanged"`
	SyncState       string         `json:"syncState"`
	Credentials     map[string]any `json:"credentials"`
	Profile         map[string]any `json:"profile"`
	Links           map[string]any `json:"_links"`
}

type appRec struct {
	seq                             int64
	id, name, label, status, signOn string
	created, lastUpdated            time.Time
	settings, credentials           map[string]any
	users                           map[string]*appUserRec
	groups                          map[string]*appGroupRec
}

type appUserRec struct {
	created     time.Time
	scope       string
	credentials map[string]any
	profile     map[string]any
}

func (a *appRec) export(base string) App {
	self := base + "/api/v1/apps/" + a.id
	f := false
	return App{
		ID: a.id, Name: a.name, Label: a.label, Status: a.status, Created: oktaTime(a.created),
		LastUpdated: oktaTime(a.lastUpdated), SignOnMode: a.signOn, Features: []string{},
		Accessibility: map[string]any{"selfService": false},
		Visibility:    map[string]any{"autoSubmitToolbar": f, "hide": map[string]any{"iOS": f, "web": f}, "appLinks": map[string]any{}},
		Settings:      deepClone(a.settings),
		Credentials:   deepClone(a.credentials),
		Links: map[string]any{
			"self":   map[string]any{"href": self},
			"users":  map[string]any{"href": self + "/users"},
			"groups": map[string]any{"href": self + "/groups"},
		},
	}
}

func (a *appRec) target() LogActor {
	return LogActor{ID: a.id, Type: "AppInstance", AlternateID: a.label, DisplayName: a.label}
}

func (a *appRec) exportUser(base string, u *userRec, au *appUserRec) AppUser {
	return AppUser{
		ID: u.id, Created: oktaTime(au.created), LastUpdated: oktaTime(au.created), Scope: au.scope, Status: "ACTIVE",
		StatusChanged: oktaTime(au.created), SyncState: "DISABLED",
		Credentials: maps.Clone(au.credentials), Profile: maps.Clone(au.profile),
		Links: map[string]any{
			"app":  map[string]any{"href": base + "/api/v1/apps/" + a.id},
			"user": map[string]any{"href": base + "/api/v1/users/" + u.id},
		},
	}
}

func (e *Emulator) findAppLocked(idOrLabel string) *appRec {
	if a, ok := e.apps[idOrLabel]; ok {
		return a
	}
	for _, a := range e.appOrder {
		if strings.EqualFold(a.label, idOrLabel) {
			return a
		}
	}
	return nil
}

func (e *Emulator) appLocked(id string) (*appRec, *apiError) {
	if a, ok := e.apps[id]; ok {
		return a, nil
	}
	return nil, notFound(id, "AppInstance")
}

type appBody struct {
	ID          string         `json:"id"`
	Name        string         `json:"name"`
	Label       string         `json:"label"`
	Status      string         `json:"status"`
	SignOnMode  string         `json:"signOnMode"`
	Settings    map[string]any `json:"settings"`
	Credentials map[string]any `json:"credentials"`
}

func (e *Emulator) createAppLocked(c *callCtx, b appBody) (*appRec, *apiError) {
	if b.Name == "" {
		return nil, validation("name", "The field cannot be left blank")
	}
	tmpl := appTemplates[b.Name]
	if b.Label == "" {
		b.Label = tmpl.label
	}
	if b.Label == "" {
		return nil, validation("label", "The field cannot be left blank")
	}
	if b.ID == "" {
		b.ID = e.ids.next("0oa")
	} else if _, dup := e.apps[b.ID]; dup {
		return nil, alreadyExists("id")
	}
	if b.SignOnMode == "" {
		b.SignOnMode = tmpl.signOnMode
	}
	if b.SignOnMode == "" {
		b.SignOnMode = "BOOKMARK"
	}
	if b.Status == "" {
		b.Status = "ACTIVE"
	}
	settings, credentials, ae := appBlocks(b, nil)
	if ae != nil {
		return nil, ae
	}
	now := e.stamp()
	a := &appRec{seq: e.nextSeq(), id: b.ID, name: b.Name, label: b.Label, status: b.Status,
		signOn: b.SignOnMode, created: now, lastUpdated: now, settings: settings, credentials: credentials,
		users: map[string]*appUserRec{}, groups: map[string]*appGroupRec{}}
	e.apps[a.id] = a
	e.appOrder = append(e.appOrder, a)
	e.emitLocked(c, "application.lifecycle.create", a.target())
	return a, nil
}

func (e *Emulator) handleCreateApp(w http.ResponseWriter, r *http.Request) {
	c := e.httpCall(w, r)
	var b appBody
	if ae := decodeBody(r, &b); ae != nil {
		e.writeError(w, ae)
		return
	}
	b.ID, b.Status = "", "ACTIVE"
	if r.URL.Query().Get("activate") == "false" {
		b.Status = "INACTIVE"
	}
	e.mu.Lock()
	a, ae := e.createAppLocked(c, b)
	var out App
	if a != nil {
		out = a.export(c.base)
	}
	e.mu.Unlock()
	if ae != nil {
		e.writeError(w, ae)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// appAttr reads an app's filterable attributes. user.id and group.id list
// the users and groups assigned to it (e *Emulator may be nil when only the
// attribute names are asked for).
func (e *Emulator) appAttr(a *appRec) attrFunc {
	return func(attr string) []string {
		switch attr {
		case "id":
			return []string{a.id}
		case "status":
			return []string{a.status}
		case "name":
			return []string{a.name}
		case "user.id":
			if e == nil {
				return []string{""}
			}
			var ids []string
			for _, u := range e.userOrder {
				if e.appUserOfLocked(a, u) != nil {
					ids = append(ids, u.id)
				}
			}
			return ids
		case "group.id":
			ids := []string{}
			for gid := range a.groups {
				ids = append(ids, gid)
			}
			return ids
		}
		return nil
	}
}

// handleListApps serves q (startsWith on name or label), filter (id,
// status, name) and limit/after paging; without limit it returns all.
func (e *Emulator) handleListApps(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var f expr
	if s := q.Get("filter"); s != "" {
		var err error
		if f, err = parseFilter(s, grammar{allowed: anyAttr(func(a string) bool { return (*Emulator)(nil).appAttr(&appRec{})(a) != nil })}); err != nil {
			e.httpCall(w, r)
			e.writeError(w, invalidSearch(err))
			return
		}
	}
	prefix := strings.ToLower(q.Get("q"))
	servePaged(e, w, r, paging{kind: "app", def: 1 << 30, max: 200}, func(a *appRec) int64 { return a.seq },
		func(c *callCtx) ([]*appRec, func(*appRec) App, *apiError) {
			var matched []*appRec
			for _, a := range e.appOrder {
				if prefix != "" && !strings.HasPrefix(strings.ToLower(a.name), prefix) && !strings.HasPrefix(strings.ToLower(a.label), prefix) {
					continue
				}
				if f == nil || f.match(e.appAttr(a)) {
					matched = append(matched, a)
				}
			}
			return matched, func(a *appRec) App { return a.export(c.base) }, nil
		})
}

func (e *Emulator) handleGetApp(w http.ResponseWriter, r *http.Request) {
	c := e.httpCall(w, r)
	e.mu.Lock()
	a, ae := e.appLocked(r.PathValue("aid"))
	var out App
	if a != nil {
		out = a.export(c.base)
	}
	e.mu.Unlock()
	if ae != nil {
		e.writeError(w, ae)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// handleDeleteApp deletes an INACTIVE app; an ACTIVE one is refused as in
// Okta (E0000056).
func (e *Emulator) handleDeleteApp(w http.ResponseWriter, r *http.Request) {
	c := e.httpCall(w, r)
	e.mu.Lock()
	a, ae := e.appLocked(r.PathValue("aid"))
	if ae == nil && a.status == "ACTIVE" {
		ae = &apiError{Status: http.StatusForbidden, Code: "E0000056", Summary: "Delete application forbidden.",
			Causes: []string{"Applications must be deactivated before they can be deleted"}}
	}
	if ae == nil {
		delete(e.apps, a.id)
		e.appOrder = removeRec(e.appOrder, a)
		e.emitLocked(c, "application.lifecycle.delete", a.target())
	}
	e.mu.Unlock()
	if ae != nil {
		e.writeError(w, ae)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (e *Emulator) handleAppLifecycle(w http.ResponseWriter, r *http.Request) {
	c := e.httpCall(w, r)
	to := map[string]string{"activate": "ACTIVE", "deactivate": "INACTIVE"}[r.PathValue("op")]
	if to == "" {
		e.writeError(w, errNoResource)
		return
	}
	e.mu.Lock()
	a, ae := e.appLocked(r.PathValue("aid"))
	if ae == nil && a.status != to {
		a.status, a.lastUpdated = to, e.stamp()
		e.emitLocked(c, "application.lifecycle."+r.PathValue("op"), a.target())
	}
	e.mu.Unlock()
	if ae != nil {
		e.writeError(w, ae)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{})
}

type appUserBody struct {
	ID          string         `json:"id"`
	Scope       string         `json:"scope"`
	Credentials map[string]any `json:"credentials"`
	Profile     map[string]any `json:"profile"`
}

// assignLocked assigns a user to an app; assigning again returns the
// existing assignment unchanged.
func (e *Emulator) assignLocked(c *callCtx, appID string, b appUserBody) (AppUser, *apiError) {
	a, ae := e.appLocked(appID)
	if ae != nil {
		return AppUser{}, ae
	}
	if b.ID == "" {
		return AppUser{}, validation("id", "The field cannot be left blank")
	}
	u, ae := e.userLocked(b.ID)
	if ae != nil {
		return AppUser{}, ae
	}
	if au, ok := a.users[u.id]; ok {
		return a.exportUser(c.base, u, au), nil
	}
	au := &appUserRec{created: e.stamp(), scope: "USER", credentials: b.Credentials, profile: b.Profile}
	if au.credentials == nil {
		au.credentials = map[string]any{"userName": u.login()}
	}
	if au.profile == nil {
		au.profile = map[string]any{}
	}
	a.users[u.id] = au
	e.emitLocked(c, "application.user_membership.add", u.target(), a.target())
	return a.exportUser(c.base, u, au), nil
}

func (e *Emulator) handleAssignUser(w http.ResponseWriter, r *http.Request) {
	c := e.httpCall(w, r)
	var b appUserBody
	if ae := decodeBody(r, &b); ae != nil {
		e.writeError(w, ae)
		return
	}
	e.mu.Lock()
	out, ae := e.assignLocked(c, r.PathValue("aid"), b)
	e.mu.Unlock()
	if ae != nil {
		e.writeError(w, ae)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (e *Emulator) handleListAppUsers(w http.ResponseWriter, r *http.Request) {
	servePaged(e, w, r, paging{kind: "appuser", def: 50, max: 500}, func(u *userRec) int64 { return u.seq },
		func(c *callCtx) ([]*userRec, func(*userRec) AppUser, *apiError) {
			a, ae := e.appLocked(r.PathValue("aid"))
			if ae != nil {
				return nil, nil, ae
			}
			var assigned []*userRec
			for _, u := range e.userOrder {
				if e.appUserOfLocked(a, u) != nil {
					assigned = append(assigned, u)
				}
			}
			return assigned, func(u *userRec) AppUser { return a.exportUser(c.base, u, e.appUserOfLocked(a, u)) }, nil
		})
}

// appUserLocked finds an assignment; a missing one is 404 (AppUser).
func (e *Emulator) appUserLocked(appID, userID string) (*appRec, *userRec, *apiError) {
	a, ae := e.appLocked(appID)
	if ae != nil {
		return nil, nil, ae
	}
	u, ae := e.userLocked(userID)
	if ae != nil {
		return nil, nil, ae
	}
	if e.appUserOfLocked(a, u) == nil {
		return nil, nil, notFound(userID, "AppUser")
	}
	return a, u, nil
}

func (e *Emulator) handleGetAppUser(w http.ResponseWriter, r *http.Request) {
	c := e.httpCall(w, r)
	e.mu.Lock()
	a, u, ae := e.appUserLocked(r.PathValue("aid"), r.PathValue("uid"))
	var out AppUser
	if ae == nil {
		out = a.exportUser(c.base, u, e.appUserOfLocked(a, u))
	}
	e.mu.Unlock()
	if ae != nil {
		e.writeError(w, ae)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (e *Emulator) handleDeleteAppUser(w http.ResponseWriter, r *http.Request) {
	c := e.httpCall(w, r)
	e.mu.Lock()
	a, u, ae := e.appUserLocked(r.PathValue("aid"), r.PathValue("uid"))
	if ae == nil && a.users[u.id] == nil {
		// Okta refuses to unassign a user the app has through a group.
		ae = &apiError{Status: http.StatusForbidden, Code: "E0000006",
			Summary: "You do not have permission to perform the requested action",
			Causes:  []string{"The user is assigned to the app through a group"}}
	}
	if ae == nil {
		delete(a.users, u.id)
		e.emitLocked(c, "application.user_membership.remove", u.target(), a.target())
	}
	e.mu.Unlock()
	if ae != nil {
		e.writeError(w, ae)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// AppUsers returns the users assigned to an app given by id or label, or nil.
func (e *Emulator) AppUsers(appIDOrLabel string) []User {
	base := e.orgURL.Load().(string)
	e.mu.Lock()
	defer e.mu.Unlock()
	a := e.findAppLocked(appIDOrLabel)
	if a == nil {
		return nil
	}
	out := []User{}
	for _, u := range e.userOrder {
		if a.users[u.id] != nil {
			out = append(out, u.export(base))
		}
	}
	return out
}

// App looks an app up by id or label (case-insensitive).
func (e *Emulator) App(idOrLabel string) (App, bool) {
	base := e.orgURL.Load().(string)
	e.mu.Lock()
	defer e.mu.Unlock()
	if a := e.findAppLocked(idOrLabel); a != nil {
		return a.export(base), true
	}
	return App{}, false
}
