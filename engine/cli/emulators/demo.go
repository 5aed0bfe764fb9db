package emulators

import (
	"net/http"
	"sort"

	oktaemu "github.com/cardflow/cardflow/connectors/okta/emulator"
	snemu "github.com/cardflow/cardflow/connectors/servicenow/emulator"
	"github.com/cardflow/cardflow/engine/cli"
)

// demoTenants are the demo's Okta org and ServiceNow instance.
type demoTenants struct {
	okta *oktaemu.Emulator
	sn   *snemu.Emulator
}

var _ cli.DemoTenants = (*demoTenants)(nil)

// demo starts the demo's tenants: Okta with the people, groups and apps of
// the scenario, ServiceNow with its demo users and groups.
func demo(oktaToken string) (cli.DemoTenants, error) {
	d := &demoTenants{okta: oktaemu.New(oktaemu.Options{Token: oktaToken})}
	if err := d.okta.Seed(demoOktaSeed()); err != nil {
		d.okta.Close()
		return nil, err
	}
	d.sn = snemu.New(snemu.Options{})
	if err := d.sn.Seed(snemu.DemoSeed()); err != nil {
		d.okta.Close()
		return nil, err
	}
	return d, nil
}

func (d *demoTenants) Okta() http.Handler       { return d.okta }
func (d *demoTenants) ServiceNow() http.Handler { return d.sn }
func (d *demoTenants) Close()                   { d.okta.Close() }

func (d *demoTenants) RegisterEventHook(name, uri, secret string, eventTypes []string) error {
	_, err := d.okta.RegisterEventHook(oktaemu.EventHook{Name: name, URI: uri, Secret: secret, EventTypes: eventTypes})
	return err
}

func (d *demoTenants) CreateUser(profile map[string]any) (string, string, error) {
	u, err := d.okta.CreateUser(profile, false)
	if err != nil {
		return "", "", err
	}
	return u.ID, u.Status, nil
}

func (d *demoTenants) CompleteActivation(id string) error { return d.okta.CompleteActivation(id) }

func (d *demoTenants) UserStatus(id string) string {
	u, _ := d.okta.User(id)
	return u.Status
}

// UserGroups leaves out the built-in Everyone group every user is in.
func (d *demoTenants) UserGroups(id string) []string {
	var names []string
	for _, g := range d.okta.UserGroups(id) {
		if g.Type == "BUILT_IN" {
			continue
		}
		names = append(names, g.Profile.Name)
	}
	sort.Strings(names)
	return names
}

func (d *demoTenants) AppUserIDs(label string) []string {
	var ids []string
	for _, u := range d.okta.AppUsers(label) {
		ids = append(ids, u.ID)
	}
	return ids
}

func (d *demoTenants) UpdateRecord(table, sysID, user string, fields map[string]string) error {
	_, err := d.sn.Update(table, sysID, user, fields)
	return err
}

func (d *demoTenants) FindRecords(table, query string) []map[string]string {
	return d.sn.Find(table, query)
}

func (d *demoTenants) Record(table, sysID string) (map[string]string, bool) {
	return d.sn.Get(table, sysID)
}

func demoOktaSeed() oktaemu.Seed {
	return oktaemu.Seed{
		Groups: []oktaemu.SeedGroup{
			{Name: "Employees", Description: "Everyone employed by Acme"},
			{Name: "VPN Users", Description: "Remote access"},
			{Name: "Finance", Description: "Finance department"},
			{Name: "Engineering", Description: "Engineering department"},
		},
		Apps: []oktaemu.SeedApp{
			{Name: "slack", Label: "Slack"},
			{Name: "zoom", Label: "Zoom"},
			{Name: "salesforce", Label: "Salesforce"},
			{Name: "github", Label: "GitHub"},
		},
		Users: []oktaemu.SeedUser{{
			Profile: map[string]any{"firstName": "Per", "lastName": "Olsen", "email": "per.olsen@acme.example", "login": "per.olsen@acme.example", "department": "Finance"},
			Groups:  []string{"Employees", "Finance"},
			Apps:    []string{"Slack"},
		}},
	}
}
