package cli

import (
	"net/http"
	"time"

	"github.com/cardflow/cardflow/engine/flowtest"
	"github.com/zclconf/go-cty/cty"
)

// Emulators start the built-in connectors' emulators for the commands that
// need them: test and validate (emulator blocks), dry-run, emulate and
// demo. cmd/cardflow wires them in (package cli/emulators) as it builds the
// connector registry, so that cli itself depends on no emulator. A command
// whose emulator is missing says so and exits 3.
type Emulators struct {
	// Tests serve the connectors that flow tests' emulator blocks name, by
	// connector name.
	Tests map[string]flowtest.Emulator
	// DryRun reads the seed file at seedPath ("" for none) and starts a
	// seeded emulator for each of connectors it emulates (none for --live).
	// A seed file that cannot be read is an *engine.SeedError.
	DryRun func(seedPath string, connectors []string) (*DryRunEmulators, error)
	// Serve starts the emulator `cardflow emulate` serves, by connector
	// name. Its errors are the user's (a bad seed).
	Serve map[string]func(ServeEmulatorOptions) (*ServedEmulator, error)
	// Demo starts the Okta org and ServiceNow instance of the demo, seeded
	// with its people, groups and apps, requiring oktaToken.
	Demo func(oktaToken string) (DemoTenants, error)
}

// DryRunEmulators are the running emulators of a dry run.
type DryRunEmulators struct {
	// Connections are, by connector name, the arguments that point a
	// connection at its emulator (see engine.DryRunOptions.Emulated).
	Connections map[string]map[string]cty.Value
	// Tables are the seed file's flow table rows.
	Tables map[string]map[string]map[string]any
	// Stop stops the emulators.
	Stop func()
}

// ServeEmulatorOptions are the settings of `cardflow emulate`.
type ServeEmulatorOptions struct {
	// Token is the Okta API token to require ("" accepts any).
	Token string
	// User and Password are the ServiceNow basic-auth user to require
	// ("" accepts any).
	User, Password string
	// SeedPath is a seed file, whole or this emulator's part ("" none).
	SeedPath string
	// EnforceRateLimits and RateLimits (Okta) enforce the per-endpoint
	// rate limits and override their limits by bucket name.
	EnforceRateLimits bool
	RateLimits        map[string]int
	// ConcurrencyLimit (Okta, with EnforceRateLimits) is how many API
	// requests the org processes at once (0: no limit).
	ConcurrencyLimit int
	// DeliveryBatchWindow (Okta) amalgamates a hook's events within this
	// long of the first into one delivery (0: each at once).
	DeliveryBatchWindow time.Duration
}

// ServedEmulator is an emulator `cardflow emulate` serves, with its faults.
type ServedEmulator struct {
	Handler http.Handler
	// Fault checks a fault and returns what injects it at now.
	Fault func(s FaultSpec, now time.Time) (func(), error)
	// ClearFaults removes every fault injected.
	ClearFaults func()
	// Close releases the emulator.
	Close func()
}

// DemoTenants are the emulated Okta org and ServiceNow instance the demo
// plays its scenario against: what an admin and an approver do by hand.
type DemoTenants interface {
	Okta() http.Handler
	ServiceNow() http.Handler
	// RegisterEventHook registers and verifies an Okta event hook.
	RegisterEventHook(name, uri, secret string, eventTypes []string) error
	// CreateUser creates a staged Okta user; it returns the id and status.
	CreateUser(profile map[string]any) (id, status string, err error)
	// UserStatus is an Okta user's status.
	UserStatus(id string) string
	// CompleteActivation plays the user of a PROVISIONED account who
	// follows Okta's activation email and sets a password (ACTIVE).
	CompleteActivation(id string) error
	// UserGroups names the groups a user is in, leaving out the built-in
	// Everyone group, sorted.
	UserGroups(id string) []string
	// AppUserIDs are the ids of the users assigned to the app labelled so.
	AppUserIDs(label string) []string
	// UpdateRecord updates a ServiceNow record as user would.
	UpdateRecord(table, sysID, user string, fields map[string]string) error
	// FindRecords are the records an encoded query selects.
	FindRecords(table, query string) []map[string]string
	// Record is one record by sys_id or number.
	Record(table, sysID string) (map[string]string, bool)
	// Close releases the emulators.
	Close()
}
