package emulator

import (
	"fmt"
	"maps"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// User is an Okta user as the API returns it.
type User struct {
	ID              string         `json:"id"`
	Status          string         `json:"status"`
	Created         Time           `json:"created"`
	Activated       *Time          `json:"activated"`
	StatusChanged   *Time          `json:"statusChanged"`
	LastLogin       *Time          `json:"lastLogin"`
	LastUpdated     Time           `json:"lastUpdated"`
	PasswordChanged *Time          `json:"passwordChanged"`
	Type            map[string]any `json:"type"`
	Profile         map[string]any `json:"profile"`
	Credentials     map[string]any `json:"credentials"`
	Links           map[string]any `json:"_links"`
}

// Login returns profile.login.
func (u User) Login() string { s, _ := u.Profile["login"].(string); return s }

const defaultUserType = "oty1defau1tUserTy0h7"

type userRec struct {
	seq             int64
	id, status      string
	created         time.Time
	activated       *time.Time
	statusChanged   *time.Time
	lastUpdated     time.Time
	passwordChanged *time.Time
	profile         map[string]any
}

func (u *userRec) login() string { s, _ := u.profile["login"].(string); return s }

func (u *userRec) export(base string) User {
	self := base + "/api/v1/users/" + u.id
	creds := map[string]any{"provider": map[string]any{"type": "OKTA", "name": "OKTA"}}
	if u.passwordChanged != nil {
		creds["password"] = map[string]any{}
	}
	return User{
		ID: u.id, Status: u.status, Created: oktaTime(u.created), Activated: oktaTimePtr(u.activated),
		StatusChanged: oktaTimePtr(u.statusChanged), LastUpdated: oktaTime(u.lastUpdated),
		PasswordChanged: oktaTimePtr(u.passwordChanged),
		Type:            map[string]any{"id": defaultUserType},
		Profile:         maps.Clone(u.profile),
		Credentials:     creds,
		Links: map[string]any{
			"self": map[string]any{"href": self},
			"type": map[string]any{"href": base + "/api/v1/meta/types/user/" + defaultUserType},
		},
	}
}

func (u *userRec) target() LogActor {
	first, _ := u.profile["firstName"].(string)
	last, _ := u.profile["lastName"].(string)
	return LogActor{ID: u.id, Type: "User", AlternateID: u.login(), DisplayName: strings.TrimSpace(first + " " + last)}
}

func (u *userRec) setStatus(status string, at time.Time) {
	u.status = status
	u.statusChanged = &at
	u.lastUpdated = at
	if (status == "ACTIVE" || status == "PROVISIONED") && u.activated == nil {
		u.activated = &at
	}
}

// activationStatus is where activating the user leads (reference §3.2): a
// user with a password is ACTIVE at once; one without is PROVISIONED, sent
// an activation email, and ACTIVE only once they finish the welcome flow.
func (u *userRec) activationStatus() string {
	if u.passwordChanged != nil {
		return "ACTIVE"
	}
	return "PROVISIONED"
}

func (e *Emulator) findUserLocked(idOrLogin string) *userRec {
	if u, ok := e.users[idOrLogin]; ok {
		return u
	}
	// Logins are unique regardless of case (loginTakenLocked), so the
	// index finds the one user a scan of userOrder would; it keeps seeding
	// and creating users linear (load tests create tens of thousands).
	return e.byLogin[strings.ToLower(idOrLogin)]
}

func (e *Emulator) userLocked(idOrLogin string) (*userRec, *apiError) {
	if u := e.findUserLocked(idOrLogin); u != nil {
		return u, nil
	}
	return nil, notFound(idOrLogin, "User")
}

// validateProfile checks the attributes Okta's default user profile requires.
func validateProfile(p map[string]any) *apiError {
	for _, f := range []string{"login", "email", "firstName", "lastName"} {
		if s, _ := p[f].(string); strings.TrimSpace(s) == "" {
			return validation(f, "The field cannot be left blank")
		}
	}
	for _, f := range []string{"login", "email"} {
		s := p[f].(string)
		if at := strings.Index(s, "@"); at <= 0 || at == len(s)-1 {
			return validation(f, "Does not match required pattern")
		}
	}
	return nil
}

func (e *Emulator) loginTakenLocked(login, exceptID string) bool {
	u := e.findUserLocked(login)
	return u != nil && u.id != exceptID && strings.EqualFold(u.login(), login)
}

type createUserBody struct {
	Profile     map[string]any   `json:"profile"`
	Credentials *userCredentials `json:"credentials"`
	GroupIDs    []string         `json:"groupIds"`
}

type userCredentials struct {
	Password *passwordValue `json:"password"`
}

type passwordValue struct {
	Value string `json:"value"`
}

func (e *Emulator) createUserLocked(c *callCtx, b createUserBody, activate bool) (*userRec, *apiError) {
	if b.Profile == nil {
		return nil, validation("profile", "The field cannot be left blank")
	}
	if ae := validateProfile(b.Profile); ae != nil {
		return nil, ae
	}
	if e.loginTakenLocked(b.Profile["login"].(string), "") {
		return nil, alreadyExists("login")
	}
	for _, gid := range b.GroupIDs {
		if _, ok := e.groups[gid]; !ok {
			return nil, notFound(gid, "UserGroup")
		}
	}
	now := e.stamp()
	u := &userRec{seq: e.nextSeq(), id: e.ids.next("00u"), status: "STAGED", created: now,
		lastUpdated: now, profile: maps.Clone(b.Profile)}
	if b.Credentials != nil && b.Credentials.Password != nil && b.Credentials.Password.Value != "" {
		u.passwordChanged = &now
	}
	e.users[u.id] = u
	e.userOrder = append(e.userOrder, u)
	e.byLogin[strings.ToLower(u.login())] = u
	// Every user is in the built-in Everyone group, from creation on and
	// without a membership event (Okta logs none for it).
	e.everyone.members[u.id] = true
	e.everyone.lastMembershipUpdated = now
	e.emitLocked(c, "user.lifecycle.create", u.target())
	if activate {
		u.setStatus(u.activationStatus(), now)
		e.emitLocked(c, "user.lifecycle.activate", u.target())
	}
	for _, gid := range b.GroupIDs {
		e.addMemberLocked(c, e.groups[gid], u)
	}
	return u, nil
}

func (e *Emulator) handleCreateUser(w http.ResponseWriter, r *http.Request) {
	c := e.httpCall(w, r)
	var b createUserBody
	if ae := decodeBody(r, &b); ae != nil {
		e.writeError(w, ae)
		return
	}
	activate := true
	if s := r.URL.Query().Get("activate"); s != "" {
		activate, _ = strconv.ParseBool(s)
	}
	e.mu.Lock()
	u, ae := e.createUserLocked(c, b, activate)
	var out User
	if u != nil {
		out = u.export(c.base)
	}
	e.mu.Unlock()
	if ae != nil {
		e.writeError(w, ae)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (e *Emulator) handleGetUser(w http.ResponseWriter, r *http.Request) {
	c := e.httpCall(w, r)
	e.mu.Lock()
	u, ae := e.userLocked(r.PathValue("id"))
	var body []byte
	ok := false
	if u != nil {
		// Encoded under the lock, straight from the record: reading a user
		// is what flows do most, and export's copies were half its cost.
		body, ok = u.appendJSON(newBody(), c.base)
	}
	var out User
	if u != nil && !ok {
		out = u.export(c.base)
	}
	e.mu.Unlock()
	switch {
	case ae != nil:
		e.writeError(w, ae)
	case ok:
		w.Header()["Content-Type"] = []string{"application/json"} // canonical: Set's work done
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body) // an error means the client went away
		recycleBody(body)
	default:
		writeJSON(w, http.StatusOK, out)
	}
}

func userAttr(u *userRec) attrFunc {
	ts := func(t *time.Time) []string {
		if t == nil {
			return nil
		}
		return []string{t.Format(time.RFC3339Nano)}
	}
	return func(attr string) []string {
		switch attr {
		case "id":
			return []string{u.id}
		case "status":
			return []string{u.status}
		case "created":
			return ts(&u.created)
		case "lastUpdated":
			return ts(&u.lastUpdated)
		case "activated":
			return ts(u.activated)
		case "statusChanged":
			return ts(u.statusChanged)
		case "type.id":
			return []string{defaultUserType}
		}
		if f, ok := strings.CutPrefix(attr, "profile."); ok {
			if v, ok := u.profile[f]; ok && v != nil {
				return []string{fmt.Sprint(v)}
			}
		}
		return nil
	}
}

// userGrammars are what the users list's filter and search accept
// (reference §3.2): search the full expression language; filter only
// equality on status, id and the login, email and name profile attributes,
// and comparisons of lastUpdated, with quoted values. Okta refuses anything
// else with 400 E0000031.
var userGrammars = map[string]grammar{
	"search": {},
	"filter": {quoted: true, allowed: func(attr, op string) bool {
		switch attr {
		case "status", "id", "profile.login", "profile.email", "profile.firstName", "profile.lastName":
			return op == "eq"
		case "lastUpdated":
			return orderOps[op]
		}
		return false
	}},
}

// userSelector returns which users a list request wants, and how it pages:
// searches and filters by 200 at most, q by 10 by default.
func userSelector(r *http.Request) (func(*userRec) bool, paging, *apiError) {
	q := r.URL.Query()
	for _, p := range []string{"filter", "search"} {
		s := q.Get(p)
		if s == "" {
			continue
		}
		f, err := parseFilter(s, userGrammars[p])
		if err != nil {
			return nil, paging{}, invalidSearch(err)
		}
		return func(u *userRec) bool { return f.match(userAttr(u)) }, paging{kind: "user", def: 200, max: 200}, nil
	}
	if s := strings.ToLower(q.Get("q")); s != "" {
		return func(u *userRec) bool {
			if u.status == "DEPROVISIONED" {
				return false
			}
			for _, f := range []string{"firstName", "lastName", "email"} {
				if v, _ := u.profile[f].(string); strings.HasPrefix(strings.ToLower(v), s) {
					return true
				}
			}
			return false
		}, paging{kind: "user", def: 10, max: 200}, nil
	}
	return func(u *userRec) bool { return u.status != "DEPROVISIONED" }, paging{kind: "user", def: 200, max: 200}, nil
}

func (e *Emulator) handleListUsers(w http.ResponseWriter, r *http.Request) {
	keep, p, ae := userSelector(r)
	if ae != nil {
		e.httpCall(w, r)
		e.writeError(w, ae)
		return
	}
	servePaged(e, w, r, p, func(u *userRec) int64 { return u.seq },
		func(c *callCtx) ([]*userRec, func(*userRec) User, *apiError) {
			var matched []*userRec
			for _, u := range e.userOrder {
				if keep(u) {
					matched = append(matched, u)
				}
			}
			return matched, func(u *userRec) User { return u.export(c.base) }, nil
		})
}

func exportUsers(us []*userRec, base string) []User {
	out := make([]User, 0, len(us))
	for _, u := range us {
		out = append(out, u.export(base))
	}
	return out
}

// handleUpdateUser serves POST (partial) and PUT (full replace) of a profile.
func (e *Emulator) handleUpdateUser(w http.ResponseWriter, r *http.Request) {
	c := e.httpCall(w, r)
	var b struct {
		Profile map[string]any `json:"profile"`
	}
	if ae := decodeBody(r, &b); ae != nil {
		e.writeError(w, ae)
		return
	}
	e.mu.Lock()
	out, ae := e.updateUserLocked(c, r.PathValue("id"), b.Profile, r.Method == http.MethodPut)
	e.mu.Unlock()
	if ae != nil {
		e.writeError(w, ae)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (e *Emulator) updateUserLocked(c *callCtx, id string, profile map[string]any, replace bool) (User, *apiError) {
	u, ae := e.userLocked(id)
	if ae != nil {
		return User{}, ae
	}
	next := maps.Clone(u.profile)
	if replace {
		next = map[string]any{}
	}
	for k, v := range profile {
		next[k] = v
	}
	if ae := validateProfile(next); ae != nil {
		return User{}, ae
	}
	if e.loginTakenLocked(next["login"].(string), u.id) {
		return User{}, alreadyExists("login")
	}
	delete(e.byLogin, strings.ToLower(u.login()))
	u.profile = next
	e.byLogin[strings.ToLower(u.login())] = u
	u.lastUpdated = e.stamp()
	e.emitLocked(c, "user.account.update_profile", u.target())
	return u.export(c.base), nil
}

func (e *Emulator) handleUserGroups(w http.ResponseWriter, r *http.Request) {
	c := e.httpCall(w, r)
	e.mu.Lock()
	u, ae := e.userLocked(r.PathValue("id"))
	var out []Group
	if u != nil {
		out = e.userGroupsLocked(u, c.base)
	}
	e.mu.Unlock()
	if ae != nil {
		e.writeError(w, ae)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// CreateUser creates a user without credentials as
// POST /api/v1/users?activate=… does, with the same System Log events and
// event-hook deliveries: activated, the user is PROVISIONED until they
// finish the welcome flow (CompleteActivation).
func (e *Emulator) CreateUser(profile map[string]any, activate bool) (User, error) {
	return e.createUser(createUserBody{Profile: profile}, activate)
}

// CreateUserWithPassword is CreateUser for a user created with a password
// (never checked): activated, the user is ACTIVE at once.
func (e *Emulator) CreateUserWithPassword(profile map[string]any, password string, activate bool) (User, error) {
	b := createUserBody{Profile: profile}
	b.Credentials = &userCredentials{Password: &passwordValue{Value: password}}
	return e.createUser(b, activate)
}

func (e *Emulator) createUser(b createUserBody, activate bool) (User, error) {
	c := e.directCall("/api/v1/users")
	e.mu.Lock()
	defer e.mu.Unlock()
	u, ae := e.createUserLocked(c, b, activate)
	if ae != nil {
		return User{}, ae
	}
	return u.export(c.base), nil
}

// User looks a user up by id or login (case-insensitive).
func (e *Emulator) User(idOrLogin string) (User, bool) {
	base := e.orgURL.Load().(string)
	e.mu.Lock()
	defer e.mu.Unlock()
	u := e.findUserLocked(idOrLogin)
	if u == nil {
		return User{}, false
	}
	return u.export(base), true
}

// Users returns every user, DEPROVISIONED included, in creation order.
func (e *Emulator) Users() []User {
	base := e.orgURL.Load().(string)
	e.mu.Lock()
	defer e.mu.Unlock()
	return exportUsers(e.userOrder, base)
}

// UserGroups returns the groups of a user, or nil if there is no such user.
func (e *Emulator) UserGroups(userIDOrLogin string) []Group {
	base := e.orgURL.Load().(string)
	e.mu.Lock()
	defer e.mu.Unlock()
	u := e.findUserLocked(userIDOrLogin)
	if u == nil {
		return nil
	}
	return e.userGroupsLocked(u, base)
}
