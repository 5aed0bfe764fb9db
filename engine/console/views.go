package console

import (
	"time"

	"github.com/cardflow/cardflow/engine/store"
)

// Flow is one flow of the loaded generation as the console shows it.
type Flow struct {
	Name        string
	Description string
	Hash        string
	Enabled     bool
	File        string // where it is declared, "file:line"
	Trigger     Trigger
	Cards       []Card
	// OnError is the flow called when an execution fails, if any.
	OnError string
}

// Trigger is a flow's trigger as written.
type Trigger struct {
	Type       string
	Connection string
	Filter     string // expr-lang predicate, as written
	Args       []Arg
}

// Card is one card as written.
type Card struct {
	Name        string
	Description string
	Action      string
	Connection  string
	If          string // expr-lang predicate, as written
	ForEach     string // expression, as written
	OnError     string // "halt", "continue" or "flow NAME"
	// Calls is the flow a flow.call card calls, if it names one.
	Calls string
	Args  []Arg
}

// Arg is an argument as written in the file.
type Arg struct {
	Name   string
	Source string
}

// Reload is the state of the loaded generation.
type Reload struct {
	Generation int64
	LoadedAt   time.Time
	// Rejected is set when the last reload was refused: the old generation
	// keeps running.
	Rejected   bool
	RejectedAt time.Time
	// Diagnostics of the refused reload: summary and position only.
	Diagnostics []Diagnostic
	// Warnings of the running generation's flows (a misspelt ServiceNow
	// field), the same way.
	Warnings []Diagnostic
}

// Diagnostic is a problem of a refused reload, without its source snippet
// (a pasted secret must not reach the page).
type Diagnostic struct {
	Severity string
	Summary  string
	Position string // "file:line,column"
}

// File is one file of a stored definition: the flow files as they were
// when an execution was pinned, and the variables' values.
type File struct {
	Name string
	Text string
}

// Table is a flow table's declaration.
type Table struct {
	Name    string
	Key     string
	Columns []string
}

// Row is one row of a flow table.
type Row struct {
	Key  string
	JSON []byte
}

// Health is what the health page shows besides the activity chart.
type Health struct {
	Status  string // "ok", "degraded", ...
	Inbox   int
	Running int
	// Parked counts the executions waiting for a wake-up time, at most
	// MaxParkedCount; -1 when the store cannot say.
	Parked int
	Store  string // the store's status
}

// MaxParkedCount bounds Health.Parked: a Source counts at most this many
// waiting executions (each view of the page reads them), and the page says
// "or more" when it reaches it.
const MaxParkedCount = 1000

// AuditEntry is one operator action, taken in the console or through the
// admin API.
type AuditEntry struct {
	At      time.Time
	Who     string // the token's name
	Role    string
	Action  string // "replay"
	Target  string // the execution id
	Detail  string // how: the card a replay starts from
	Outcome string // "ok", or why it was refused
	Remote  string // the client's address
	// Key orders the log, newest first; the audit page's Older link
	// carries it.
	Key string
}

// Page is one page of executions, newest first.
type Page struct {
	Executions []*store.Execution
	// Next is the Before of the next page, "" on the last.
	Next string
}
