package emulator

import (
	"net/http"
	"strings"
	"time"
)

// Group is an Okta group as the API returns it.
type Group struct {
	ID                    string         `json:"id"`
	Created               Time           `json:"created"`
	LastUpdated           Time           `json:"lastUpdated"`
	LastMembershipUpdated Time           `json:"lastMembershipUpdated"`
	ObjectClass           []string       `json:"objectClass"`
	Type                  string         `json:"type"`
	Profile               GroupProfile   `json:"profile"`
	Links                 map[string]any `json:"_links"`
}

// GroupProfile is the profile of a group.
type GroupProfile struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

type groupRec struct {
	seq                                         int64
	id, typ                                     string
	profile                                     GroupProfile
	created, lastUpdated, lastMembershipUpdated time.Time
	members                                     map[string]bool
}

func (g *groupRec) export(base string) Group {
	self := base + "/api/v1/groups/" + g.id
	return Group{
		ID: g.id, Created: oktaTime(g.created), LastUpdated: oktaTime(g.lastUpdated),
		LastMembershipUpdated: oktaTime(g.lastMembershipUpdated),
		ObjectClass:           []string{"okta:user_group"}, Type: g.typ, Profile: g.profile,
		Links: map[string]any{
			"self":  map[string]any{"href": self},
			"users": map[string]any{"href": self + "/users"},
			"apps":  map[string]any{"href": self + "/apps"},
		},
	}
}

func (g *groupRec) target() LogActor {
	return LogActor{ID: g.id, Type: "UserGroup", AlternateID: g.profile.Name, DisplayName: g.profile.Name}
}

func (e *Emulator) findGroupLocked(idOrName string) *groupRec {
	if g, ok := e.groups[idOrName]; ok {
		return g
	}
	for _, g := range e.groupOrder {
		if strings.EqualFold(g.profile.Name, idOrName) {
			return g
		}
	}
	return nil
}

func (e *Emulator) groupLocked(id string) (*groupRec, *apiError) {
	if g, ok := e.groups[id]; ok {
		return g, nil
	}
	return nil, notFound(id, "UserGroup")
}

func (e *Emulator) userGroupsLocked(u *userRec, base string) []Group {
	out := []Group{}
	for _, g := range e.groupOrder {
		if g.members[u.id] {
			out = append(out, g.export(base))
		}
	}
	return out
}

func (e *Emulator) createGroupLocked(c *callCtx, id, typ string, p GroupProfile) (*groupRec, *apiError) {
	if strings.TrimSpace(p.Name) == "" {
		return nil, validation("name", "The field cannot be left blank")
	}
	if g := e.findGroupLocked(p.Name); g != nil && g.typ == "OKTA_GROUP" && typ == "OKTA_GROUP" {
		return nil, alreadyExists("name")
	}
	if id == "" {
		id = e.ids.next("00g")
	} else if _, dup := e.groups[id]; dup {
		return nil, alreadyExists("id")
	}
	now := e.stamp()
	g := &groupRec{seq: e.nextSeq(), id: id, typ: typ, profile: p, created: now, lastUpdated: now,
		lastMembershipUpdated: now, members: map[string]bool{}}
	e.groups[id] = g
	e.groupOrder = append(e.groupOrder, g)
	e.emitLocked(c, "group.lifecycle.create", g.target())
	return g, nil
}

type groupBody struct {
	Profile GroupProfile `json:"profile"`
}

func (e *Emulator) handleCreateGroup(w http.ResponseWriter, r *http.Request) {
	c := e.httpCall(w, r)
	var b groupBody
	if ae := decodeBody(r, &b); ae != nil {
		e.writeError(w, ae)
		return
	}
	e.mu.Lock()
	g, ae := e.createGroupLocked(c, "", "OKTA_GROUP", b.Profile)
	var out Group
	if g != nil {
		out = g.export(c.base)
	}
	e.mu.Unlock()
	if ae != nil {
		e.writeError(w, ae)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func groupAttr(g *groupRec) attrFunc {
	return func(attr string) []string {
		switch attr {
		case "id":
			return []string{g.id}
		case "type":
			return []string{g.typ}
		case "profile.name":
			return []string{g.profile.Name}
		case "profile.description":
			return []string{g.profile.Description}
		case "created":
			return []string{g.created.Format(time.RFC3339Nano)}
		case "lastUpdated":
			return []string{g.lastUpdated.Format(time.RFC3339Nano)}
		case "lastMembershipUpdated":
			return []string{g.lastMembershipUpdated.Format(time.RFC3339Nano)}
		}
		return nil
	}
}

func groupAttrAllowed(attr string) bool { return groupAttr(&groupRec{})(attr) != nil }

// groupTimes are the group attributes that are timestamps.
var groupTimes = map[string]bool{"created": true, "lastUpdated": true, "lastMembershipUpdated": true}

// groupGrammars are what the groups list's search and filter accept
// (reference §3.3): search compares any attribute with eq and sw, co only
// on profile.name and profile.description, and orders timestamps; filter
// takes only id and type (eq) and lastUpdated and lastMembershipUpdated.
// Okta refuses anything else with 400 E0000031.
var groupGrammars = map[string]grammar{
	"search": {allowed: func(attr, op string) bool {
		switch {
		case !groupAttrAllowed(attr):
			return false
		case groupTimes[attr]:
			return orderOps[op]
		case op == "co":
			return attr == "profile.name" || attr == "profile.description"
		}
		return op == "eq" || op == "sw"
	}},
	"filter": {quoted: true, allowed: func(attr, op string) bool {
		switch attr {
		case "id", "type":
			return op == "eq"
		case "lastUpdated", "lastMembershipUpdated":
			return orderOps[op]
		}
		return false
	}},
}

// handleListGroups serves q (startsWith on the name: one unpaged result of
// at most limit, default 300), search and filter (paged) and plain lists.
func (e *Emulator) handleListGroups(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if prefix := strings.ToLower(q.Get("q")); prefix != "" {
		e.queryGroups(w, r, e.httpCall(w, r), prefix)
		return
	}
	keep := func(*groupRec) bool { return true }
	for _, p := range []string{"search", "filter"} {
		if s := q.Get(p); s != "" {
			f, err := parseFilter(s, groupGrammars[p])
			if err != nil {
				e.httpCall(w, r)
				e.writeError(w, invalidSearch(err))
				return
			}
			keep = func(g *groupRec) bool { return f.match(groupAttr(g)) }
			break
		}
	}
	servePaged(e, w, r, paging{kind: "group", def: 10000, max: 10000}, func(g *groupRec) int64 { return g.seq },
		func(c *callCtx) ([]*groupRec, func(*groupRec) Group, *apiError) {
			var matched []*groupRec
			for _, g := range e.groupOrder {
				if keep(g) {
					matched = append(matched, g)
				}
			}
			return matched, func(g *groupRec) Group { return g.export(c.base) }, nil
		})
}

// queryGroups answers ?q=: "paging and searching are mutually exclusive".
func (e *Emulator) queryGroups(w http.ResponseWriter, r *http.Request, c *callCtx, prefix string) {
	limit, ae := limitParam(r.URL.Query(), 300, 10000)
	if ae != nil {
		e.writeError(w, ae)
		return
	}
	e.mu.Lock()
	out := []Group{}
	for _, g := range e.groupOrder {
		if strings.HasPrefix(strings.ToLower(g.profile.Name), prefix) && len(out) < limit {
			out = append(out, g.export(c.base))
		}
	}
	e.mu.Unlock()
	writePage(w, c, r, "", out)
}

func (e *Emulator) handleGetGroup(w http.ResponseWriter, r *http.Request) {
	c := e.httpCall(w, r)
	e.mu.Lock()
	g, ae := e.groupLocked(r.PathValue("gid"))
	var out Group
	if g != nil {
		out = g.export(c.base)
	}
	e.mu.Unlock()
	if ae != nil {
		e.writeError(w, ae)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (e *Emulator) handleUpdateGroup(w http.ResponseWriter, r *http.Request) {
	c := e.httpCall(w, r)
	var b groupBody
	if ae := decodeBody(r, &b); ae != nil {
		e.writeError(w, ae)
		return
	}
	e.mu.Lock()
	out, ae := e.updateGroupLocked(c, r.PathValue("gid"), b.Profile)
	e.mu.Unlock()
	if ae != nil {
		e.writeError(w, ae)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (e *Emulator) updateGroupLocked(c *callCtx, id string, p GroupProfile) (Group, *apiError) {
	g, ae := e.groupLocked(id)
	if ae != nil {
		return Group{}, ae
	}
	if g.typ != "OKTA_GROUP" {
		return Group{}, noPermission("Cannot modify the profile of a group of type " + g.typ)
	}
	if strings.TrimSpace(p.Name) == "" {
		return Group{}, validation("name", "The field cannot be left blank")
	}
	if other := e.findGroupLocked(p.Name); other != nil && other != g && other.typ == "OKTA_GROUP" {
		return Group{}, alreadyExists("name")
	}
	g.profile = p
	g.lastUpdated = e.stamp()
	e.emitLocked(c, "group.profile.update", g.target())
	return g.export(c.base), nil
}

func (e *Emulator) handleDeleteGroup(w http.ResponseWriter, r *http.Request) {
	c := e.httpCall(w, r)
	e.mu.Lock()
	g, ae := e.groupLocked(r.PathValue("gid"))
	if ae == nil && g.typ != "OKTA_GROUP" {
		ae = noPermission("Cannot delete a group of type " + g.typ)
	}
	if ae == nil {
		delete(e.groups, g.id)
		e.groupOrder = removeRec(e.groupOrder, g)
		for _, a := range e.appOrder {
			delete(a.groups, g.id)
		}
		e.emitLocked(c, "group.lifecycle.delete", g.target())
	}
	e.mu.Unlock()
	if ae != nil {
		e.writeError(w, ae)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// addMemberLocked adds u to g; adding a member again changes nothing and
// logs nothing.
func (e *Emulator) addMemberLocked(c *callCtx, g *groupRec, u *userRec) *apiError {
	if g.typ != "OKTA_GROUP" {
		return noPermission("Cannot modify memberships of a group of type " + g.typ)
	}
	if g.members[u.id] {
		return nil
	}
	g.members[u.id] = true
	g.lastMembershipUpdated = e.stamp()
	e.emitLocked(c, "group.user_membership.add", u.target(), g.target())
	return nil
}

func (e *Emulator) removeMemberLocked(c *callCtx, g *groupRec, u *userRec) *apiError {
	if g.typ != "OKTA_GROUP" {
		return noPermission("Cannot modify memberships of a group of type " + g.typ)
	}
	if !g.members[u.id] {
		return nil
	}
	delete(g.members, u.id)
	g.lastMembershipUpdated = e.stamp()
	e.emitLocked(c, "group.user_membership.remove", u.target(), g.target())
	return nil
}

// handleMembership serves PUT and DELETE /api/v1/groups/{gid}/users/{uid}:
// 204 with no body, idempotent.
func (e *Emulator) handleMembership(w http.ResponseWriter, r *http.Request) {
	c := e.httpCall(w, r)
	e.mu.Lock()
	g, ae := e.groupLocked(r.PathValue("gid"))
	var u *userRec
	if ae == nil {
		u, ae = e.userLocked(r.PathValue("uid"))
	}
	if ae == nil {
		if r.Method == http.MethodPut {
			ae = e.addMemberLocked(c, g, u)
		} else {
			ae = e.removeMemberLocked(c, g, u)
		}
	}
	e.mu.Unlock()
	if ae != nil {
		e.writeError(w, ae)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (e *Emulator) handleGroupUsers(w http.ResponseWriter, r *http.Request) {
	servePaged(e, w, r, paging{kind: "member", def: 1000, max: 10000}, func(u *userRec) int64 { return u.seq },
		func(c *callCtx) ([]*userRec, func(*userRec) User, *apiError) {
			g, ae := e.groupLocked(r.PathValue("gid"))
			if ae != nil {
				return nil, nil, ae
			}
			var members []*userRec
			for _, u := range e.userOrder {
				if g.members[u.id] {
					members = append(members, u)
				}
			}
			return members, func(u *userRec) User { return u.export(c.base) }, nil
		})
}

// GroupMembers returns the members of a group given by id or name, or nil.
func (e *Emulator) GroupMembers(groupIDOrName string) []User {
	base := e.orgURL.Load().(string)
	e.mu.Lock()
	defer e.mu.Unlock()
	g := e.findGroupLocked(groupIDOrName)
	if g == nil {
		return nil
	}
	out := []User{}
	for _, u := range e.userOrder {
		if g.members[u.id] {
			out = append(out, u.export(base))
		}
	}
	return out
}

// Group looks a group up by id or name (case-insensitive).
func (e *Emulator) Group(idOrName string) (Group, bool) {
	base := e.orgURL.Load().(string)
	e.mu.Lock()
	defer e.mu.Unlock()
	if g := e.findGroupLocked(idOrName); g != nil {
		return g.export(base), true
	}
	return Group{}, false
}
