package emulator

import (
	"bytes"
	"cmp"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"time"
)

// Group assignments of apps (/api/v1/apps/{aid}/groups). A group's members
// are users of the app with scope GROUP unless assigned directly (USER).

// AppGroup is an ApplicationGroupAssignment as the API returns it.
type AppGroup struct {
	ID          string         `json:"id"`
	LastUpdated Time           `json:"lastUpdated"`
	Priority    int            `json:"priority"`
	Profile     map[string]any `json:"profile"`
	Links       map[string]any `json:"_links"`
}

type appGroupRec struct {
	seq         int64
	lastUpdated time.Time
	priority    int
	profile     map[string]any
}

func (a *appRec) exportGroup(base, gid string, ag *appGroupRec) AppGroup {
	profile := deepClone(ag.profile)
	if profile == nil {
		profile = map[string]any{}
	}
	return AppGroup{ID: gid, LastUpdated: oktaTime(ag.lastUpdated), Priority: ag.priority, Profile: profile,
		Links: map[string]any{
			"app":   map[string]any{"href": base + "/api/v1/apps/" + a.id},
			"group": map[string]any{"href": base + "/api/v1/groups/" + gid},
		}}
}

// groupScopedLocked reports whether u uses a through one of its groups.
func (e *Emulator) groupScopedLocked(a *appRec, u *userRec) bool {
	for gid := range a.groups {
		if g := e.groups[gid]; g != nil && g.members[u.id] {
			return true
		}
	}
	return false
}

// appUserOfLocked is u's assignment to a: the direct one, else one made
// from a group assignment (scope GROUP), else nil.
func (e *Emulator) appUserOfLocked(a *appRec, u *userRec) *appUserRec {
	if au := a.users[u.id]; au != nil {
		return au
	}
	if !e.groupScopedLocked(a, u) {
		return nil
	}
	return &appUserRec{created: a.created, scope: "GROUP", credentials: map[string]any{"userName": u.login()},
		profile: map[string]any{}}
}

type appGroupBody struct {
	Priority *int           `json:"priority"`
	Profile  map[string]any `json:"profile"`
}

// handleAssignGroup serves PUT /api/v1/apps/{aid}/groups/{gid}: the body is
// optional; assigning again updates priority and profile.
func (e *Emulator) handleAssignGroup(w http.ResponseWriter, r *http.Request) {
	c := e.httpCall(w, r)
	var b appGroupBody
	data, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err == nil && len(bytes.TrimSpace(data)) > 0 {
		err = json.Unmarshal(data, &b)
	}
	if err != nil {
		e.writeError(w, badRequestBody(err))
		return
	}
	e.mu.Lock()
	out, ae := e.assignGroupLocked(c, r.PathValue("aid"), r.PathValue("gid"), b)
	e.mu.Unlock()
	if ae != nil {
		e.writeError(w, ae)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (e *Emulator) assignGroupLocked(c *callCtx, aid, gid string, b appGroupBody) (AppGroup, *apiError) {
	a, ae := e.appLocked(aid)
	if ae != nil {
		return AppGroup{}, ae
	}
	g, ae := e.groupLocked(gid)
	if ae != nil {
		return AppGroup{}, ae
	}
	ag := a.groups[g.id]
	if ag == nil {
		ag = &appGroupRec{seq: e.nextSeq(), priority: len(a.groups)}
		a.groups[g.id] = ag
		e.emitLocked(c, "group.application_assignment.add", g.target(), a.target())
	}
	if b.Priority != nil {
		ag.priority = *b.Priority
	}
	if b.Profile != nil {
		ag.profile = deepClone(b.Profile)
	}
	ag.lastUpdated = e.stamp()
	return a.exportGroup(c.base, g.id, ag), nil
}

func (e *Emulator) appGroupLocked(aid, gid string) (*appRec, *appGroupRec, *apiError) {
	a, ae := e.appLocked(aid)
	if ae != nil {
		return nil, nil, ae
	}
	ag := a.groups[gid]
	if ag == nil {
		return nil, nil, notFound(gid, "ApplicationGroupAssignment")
	}
	return a, ag, nil
}

func (e *Emulator) handleGetAppGroup(w http.ResponseWriter, r *http.Request) {
	c := e.httpCall(w, r)
	e.mu.Lock()
	a, ag, ae := e.appGroupLocked(r.PathValue("aid"), r.PathValue("gid"))
	var out AppGroup
	if ae == nil {
		out = a.exportGroup(c.base, r.PathValue("gid"), ag)
	}
	e.mu.Unlock()
	if ae != nil {
		e.writeError(w, ae)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (e *Emulator) handleDeleteAppGroup(w http.ResponseWriter, r *http.Request) {
	c := e.httpCall(w, r)
	e.mu.Lock()
	a, _, ae := e.appGroupLocked(r.PathValue("aid"), r.PathValue("gid"))
	if ae == nil {
		delete(a.groups, r.PathValue("gid"))
		if g := e.groups[r.PathValue("gid")]; g != nil {
			e.emitLocked(c, "group.application_assignment.remove", g.target(), a.target())
		}
	}
	e.mu.Unlock()
	if ae != nil {
		e.writeError(w, ae)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// handleListAppGroups pages an app's group assignments in the order they
// were made (limit default 20, at most 200).
func (e *Emulator) handleListAppGroups(w http.ResponseWriter, r *http.Request) {
	type entry struct {
		gid string
		ag  *appGroupRec
	}
	servePaged(e, w, r, paging{kind: "appgroup", def: 20, max: 200}, func(x entry) int64 { return x.ag.seq },
		func(c *callCtx) ([]entry, func(entry) AppGroup, *apiError) {
			a, ae := e.appLocked(r.PathValue("aid"))
			if ae != nil {
				return nil, nil, ae
			}
			var all []entry
			for gid, ag := range a.groups {
				all = append(all, entry{gid, ag})
			}
			slices.SortFunc(all, func(x, y entry) int { return cmp.Compare(x.ag.seq, y.ag.seq) })
			return all, func(x entry) AppGroup { return a.exportGroup(c.base, x.gid, x.ag) }, nil
		})
}

// handleGroupApps serves GET /api/v1/groups/{gid}/apps: the apps the group
// is assigned to, paged (limit default 20, at most 200).
func (e *Emulator) handleGroupApps(w http.ResponseWriter, r *http.Request) {
	servePaged(e, w, r, paging{kind: "groupapp", def: 20, max: 200}, func(a *appRec) int64 { return a.seq },
		func(c *callCtx) ([]*appRec, func(*appRec) App, *apiError) {
			g, ae := e.groupLocked(r.PathValue("gid"))
			if ae != nil {
				return nil, nil, ae
			}
			var assigned []*appRec
			for _, a := range e.appOrder {
				if a.groups[g.id] != nil {
					assigned = append(assigned, a)
				}
			}
			return assigned, func(a *appRec) App { return a.export(c.base) }, nil
		})
}

// handleListGroupRules serves GET /api/v1/groups/rules. The emulator has
// no group rules (doc.go), so the list is always empty; clients that sweep
// their rules before a run, as okta-sdk-golang's tests do, find none.
func (e *Emulator) handleListGroupRules(w http.ResponseWriter, r *http.Request) {
	writePage(w, e.httpCall(w, r), r, "", []any{})
}
