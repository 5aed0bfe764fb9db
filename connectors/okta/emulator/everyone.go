package emulator

// Every Okta org has one BUILT_IN group, Everyone, that holds every user.
// Its profile cannot be changed, it cannot be deleted, and its members are
// exactly the org's users: PUT and DELETE of a membership are refused with
// E0000006 like those of any group that is not an OKTA_GROUP.

const (
	everyoneName        = "Everyone"
	everyoneDescription = "All users in your organization"
)

// addEveryoneGroup creates the Everyone group of a new org. It writes no
// System Log event: the group exists before anything happens in the org.
func (e *Emulator) addEveryoneGroup() {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.stamp()
	g := &groupRec{seq: e.nextSeq(), id: e.ids.next("00g"), typ: "BUILT_IN",
		profile: GroupProfile{Name: everyoneName, Description: everyoneDescription},
		created: now, lastUpdated: now, lastMembershipUpdated: now, members: map[string]bool{}}
	e.groups[g.id] = g
	e.groupOrder = append(e.groupOrder, g)
	e.everyone = g
}

// seedEveryoneLocked applies a seeded BUILT_IN "Everyone" group to the one
// the org already has (a seed copied from a real org lists it), giving it
// the seed's id when there is one.
func (e *Emulator) seedEveryoneLocked(sg SeedGroup) *apiError {
	g := e.everyone
	if sg.ID == "" || sg.ID == g.id {
		return nil
	}
	if _, dup := e.groups[sg.ID]; dup {
		return alreadyExists("id")
	}
	delete(e.groups, g.id)
	g.id = sg.ID
	e.groups[g.id] = g
	return nil
}
