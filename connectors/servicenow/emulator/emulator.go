package emulator

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cardflow/cardflow/connectors/servicenow/internal/tables"
	"github.com/cardflow/cardflow/connectors/servicenow/query"
)

// Options configures an Emulator. The zero value is a permissive instance:
// any basic-auth user is accepted and the clock is time.Now.
type Options struct {
	// Users maps user_name to password for basic auth and the OAuth password
	// grant; each also gets a sys_user row. Empty (and no seeded passwords):
	// any basic-auth user is accepted and acts under the name it sent.
	Users map[string]string
	// ClientID and ClientSecret are the OAuth client /oauth_token.do accepts.
	// Empty ClientID accepts any client.
	ClientID, ClientSecret string
	// ClientUser is the user a client_credentials token acts as (the OAuth
	// application user on the platform). Default: ClientID.
	ClientUser string
	// APIKeys maps an x-sn-apikey value to the user_name it acts as.
	APIKeys map[string]string
	// Now is the clock; default time.Now. Tests pass a fake clock to force
	// several updates into one second of sys_updated_on.
	Now func() time.Time
	// InstanceURL is used in reference links and Link/Location headers.
	// Default: derived from the request's Host.
	InstanceURL string
	// CreateTables makes an HTTP POST to an unknown table create it, as the
	// Go API's Insert always does. Default: 400 "Invalid table X".
	CreateTables bool
	// Columns are custom columns (u_ fields) the instance's admins added,
	// by table: a write stores only a table's columns, so a field that is
	// not one of them is dropped and a query condition on it ignored, as
	// on the platform. A table that is not built in is created with its
	// columns. Seeds can declare columns too (Seed.Columns).
	Columns map[string][]string
	// StrictQuery makes query conditions on unknown fields match nothing
	// (glide.invalid_query.returns_no_rows=true) instead of being ignored.
	StrictQuery bool
	// RateLimitPerHour, when positive, is an hourly per-user Table API rate
	// limit rule: X-RateLimit-* headers on every response, 429 beyond it.
	RateLimitPerHour int
	// TokenTTL is the lifetime of OAuth access tokens; default 1799s.
	TokenTTL time.Duration
	// TimeZone is the users' time zone for gs.dateGenerate; default UTC.
	TimeZone *time.Location
}

// Emulator is an in-memory ServiceNow instance. It is safe for concurrent use.
type Emulator struct {
	opts     Options
	requests atomic.Int64
	// faultCount is len(faults), read without the lock so that a request
	// takes e.mu once fewer when no fault is injected.
	faultCount atomic.Int32

	mu      sync.Mutex
	tables  map[string]*table
	numbers map[string]int // number prefix → last number issued
	creds   map[string]string
	tokens  map[string]token
	faults  []*Fault
	rates   map[string]*rateWindow
}

// table holds one table's rows, keyed by sys_id.
//
// A stored row holds the columns that were ever written and may leave out
// any column that is empty: a column of the schema missing from a row
// reads as "" everywhere (rendering, queries, dot-walks), exactly as if it
// were there, and the Go API hands out full copies (full). An incident
// has 83 columns of which a new one fills about 35: a full map per row
// was a map of twice the size to clone on every insert and for the
// collector to scan, most of an insert's cost.
type table struct {
	name   string
	schema *schema
	rows   map[string]map[string]string
	index  fieldIndex // see index.go
	// sortedColumns are the schema's columns in JSON key order, for
	// rendering (encode.go), and blank a row with every column empty, to
	// make full copies; both are rebuilt when a column is added.
	sortedColumns []string
	blank         map[string]string
	// rowSize is the most fields a stored row held: the size new rows
	// are made with, so that filling one does not grow it.
	rowSize int
}

// New returns an emulator with the built-in tables (incident, sys_user,
// sys_user_group, sys_user_grmember, sys_choice with the modern close codes,
// sys_journal_field) and a sys_user row for each of opts.Users.
func New(opts Options) *Emulator {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.TokenTTL <= 0 {
		opts.TokenTTL = 1799 * time.Second
	}
	if opts.TimeZone == nil {
		opts.TimeZone = time.UTC
	}
	if opts.ClientUser == "" {
		opts.ClientUser = opts.ClientID
	}
	e := &Emulator{
		opts:    opts,
		tables:  map[string]*table{},
		numbers: map[string]int{"INC": 10000},
		creds:   map[string]string{},
		tokens:  map[string]token{},
		rates:   map[string]*rateWindow{},
	}
	for name, s := range builtinSchemas {
		// A copy per instance: declaring a u_ column adds one, which must
		// not show up in every other emulator of the process.
		s := *s
		s.columns = slices.Clone(s.columns)
		s.set, s.setOf = nil, 0
		e.tables[name] = &table{name: name, schema: &s, rows: map[string]map[string]string{}}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.setChoicesLocked("incident", "state", []string{"1", "2", "3", "6", "7", "8"}, tables.Choices("incident")["state"])
	e.setChoicesLocked("incident", "close_code", defaultCloseCodes, nil)
	for name, pw := range opts.Users {
		e.creds[name] = pw
		e.userIDLocked(name)
	}
	if err := e.declareColumnsLocked(opts.Columns); err != nil {
		panic("emulator: Options.Columns: " + err.Error())
	}
	return e
}

// declareColumnsLocked adds custom columns to tables, creating a table that
// does not exist with the system columns and these. Names must be well
// formed; a column a table has already is fine.
func (e *Emulator) declareColumnsLocked(cols map[string][]string) error {
	names := slices.Sorted(maps.Keys(cols))
	for _, name := range names {
		if !validFieldName(name) {
			return fmt.Errorf("columns: %q is not a table name", name)
		}
		t, ok := e.tables[name]
		if !ok {
			t = &table{name: name, schema: &schema{columns: append(tables.System(), "sys_class_name"), display: "sys_id"}, rows: map[string]map[string]string{}}
			e.tables[name] = t
		}
		for _, c := range cols[name] {
			if !validFieldName(c) || strings.Contains(c, ".") {
				return fmt.Errorf("columns.%s: %q is not a field name", name, c)
			}
			t.addColumn(c)
		}
	}
	return nil
}

// Requests returns how many HTTP requests the emulator has received.
func (e *Emulator) Requests() int64 { return e.requests.Load() }

// now returns the clock in UTC, truncated to the platform's one-second
// precision, formatted as the API writes dates.
func (e *Emulator) now() string {
	return e.opts.Now().UTC().Truncate(time.Second).Format(query.DateTimeLayout)
}

func newSysID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return hex.EncodeToString(b[:])
}

// isSysID reports whether s looks like a sys_id: 32 lowercase hex digits.
func isSysID(s string) bool {
	if len(s) != 32 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// tableLocked returns the named table; create adds an open custom table.
func (e *Emulator) tableLocked(name string, create bool) (*table, error) {
	if t, ok := e.tables[name]; ok {
		return t, nil
	}
	if !create || !validFieldName(name) {
		return nil, &InvalidTableError{Table: name}
	}
	t := &table{name: name, schema: &schema{columns: append(tables.System(), "sys_class_name"), open: true, display: "sys_id"}, rows: map[string]map[string]string{}}
	e.tables[name] = t
	return t, nil
}

// addColumn adds a column to a table: a declared one, or a field first
// written to an open custom table. Existing rows read it as "" (see
// table).
func (t *table) addColumn(c string) {
	if t.schema.has(c) {
		return
	}
	t.schema.columns = append(t.schema.columns, c)
}

// full returns a copy of rec with every column of t, the empty ones as "":
// the record as the Go API hands it out. It returns nil for nil.
func (t *table) full(rec map[string]string) map[string]string {
	if rec == nil {
		return nil
	}
	if len(t.blank) != len(t.schema.columns) { // columns only grow
		t.blank = make(map[string]string, len(t.schema.columns))
		for _, c := range t.schema.columns {
			t.blank[c] = ""
		}
	}
	// Cloning a map copies its buckets whole: cheaper than a few dozen
	// inserts into a new one.
	out := maps.Clone(t.blank)
	maps.Copy(out, rec)
	return out
}

// sameRecord reports whether a and b hold the same values, a column
// missing from one reading as "".
func sameRecord(a, b map[string]string) bool {
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	for k, v := range b {
		if a[k] != v {
			return false
		}
	}
	return true
}

func validFieldName(s string) bool {
	if s == "" || strings.Contains(s, ".") {
		return false
	}
	for i, c := range s {
		if !(c >= 'a' && c <= 'z' || c == '_' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// userIDLocked returns the sys_id of the sys_user with this user_name,
// creating the row if needed: on the platform every session has a user.
func (e *Emulator) userIDLocked(userName string) string {
	if userName == "" {
		return ""
	}
	users := e.tables["sys_user"]
	for id, r := range users.rows {
		if r["user_name"] == userName {
			return id
		}
	}
	rec := e.blankLocked(users, "system")
	first, last := splitName(userName)
	rec["user_name"], rec["first_name"], rec["last_name"] = userName, first, last
	rec["name"] = strings.TrimSpace(first + " " + last)
	rec["active"], rec["locked_out"], rec["sys_class_name"], rec["sys_domain"] = "true", "false", "sys_user", "global"
	users.rows[rec["sys_id"]] = rec
	return rec["sys_id"]
}

// splitName turns "beth.anglin" into "Beth", "Anglin".
func splitName(userName string) (string, string) {
	first, last, _ := strings.Cut(userName, ".")
	title := func(s string) string {
		if s == "" {
			return s
		}
		return strings.ToUpper(s[:1]) + s[1:]
	}
	return title(first), title(last)
}

// blankLocked returns a new record of t with every column empty (left out,
// see table) but the system fields of an insert by userName.
func (e *Emulator) blankLocked(t *table, userName string) map[string]string {
	rec := make(map[string]string, t.rowSize)
	now := e.now()
	rec["sys_id"] = newSysID()
	rec["sys_created_on"], rec["sys_updated_on"] = now, now
	rec["sys_created_by"], rec["sys_updated_by"] = userName, userName
	rec["sys_mod_count"] = "0"
	if t.schema.has("sys_class_name") {
		rec["sys_class_name"] = t.name
	}
	return rec
}

// setChoicesLocked replaces the sys_choice rows of table.element.
func (e *Emulator) setChoicesLocked(tableName, element string, values []string, labels map[string]string) {
	choices := e.tables["sys_choice"]
	for id, r := range choices.rows {
		if r["name"] == tableName && r["element"] == element {
			delete(choices.rows, id)
		}
	}
	for i, v := range values {
		rec := e.blankLocked(choices, "system")
		label := v
		if l, ok := labels[v]; ok {
			label = l
		}
		rec["name"], rec["element"], rec["value"], rec["label"] = tableName, element, v, label
		rec["sequence"], rec["inactive"], rec["language"] = fmt.Sprint(i+1), "false", "en"
		choices.rows[rec["sys_id"]] = rec
	}
}

// choiceValid reports whether value is an active sys_choice of table.element.
func (e *Emulator) choiceValidLocked(tableName, element, value string) bool {
	for _, r := range e.tables["sys_choice"].rows {
		if r["name"] == tableName && r["element"] == element && r["value"] == value && r["inactive"] != "true" {
			return true
		}
	}
	return false
}
