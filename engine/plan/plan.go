package plan

import (
	"sync"
	"time"

	"github.com/cardflow/cardflow/engine/config"
	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/lang"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// Scope returns a scope holding what every expression of the generation may
// reference: variables, tables, flows and functions.
func (g *Generation) Scope() *lang.Scope {
	return &lang.Scope{
		Vars:   g.Vars,
		Tables: lang.NamesObject(connector.SortedKeys(g.Config.Tables)),
		Flows:  lang.NamesObject(g.Config.FlowNames()),
		Funcs:  g.Funcs,
	}
}

// Generation is one loaded, checked configuration.
type Generation struct {
	Config      *config.Config
	Registry    *connector.Registry
	Vars        cty.Value
	Connections map[string]*Connection
	Flows       map[string]*Flow
	Tables      map[string]*config.Table
	Mode        lang.Mode
	Host        lang.Host
	// Funcs are the expression functions for Mode.
	Funcs map[string]function.Function
	// Snapshot is a self-contained copy of the sources and variable values,
	// stored under each flow's hash so a pinned execution can be resumed
	// after the files changed.
	Snapshot []byte

	// derived holds what packages that run a generation derive from it
	// once (the runtime's evaluation plans), so that it lives and dies
	// with the generation. See Derived.
	derived sync.Map
}

// Derived returns the value a package derived from g under key, making it
// with make the first time. Two callers racing on the first call may both
// run make; one result is kept and returned to both. key is a comparable
// value of a type the calling package owns, as with context keys.
func (g *Generation) Derived(key any, make func() any) any {
	if v, ok := g.derived.Load(key); ok {
		return v
	}
	v, _ := g.derived.LoadOrStore(key, make())
	return v
}

// Connection is an evaluated connection block.
type Connection struct {
	Addr      string
	Connector *connector.Connector
	// Config is an object of the connector's connection schema. Sensitive
	// values carry lang.Sensitive marks.
	Config cty.Value
	// Hash identifies the settings, secrets included: a client is reused
	// while it is unchanged.
	Hash string
	// Pins are digests of the arguments that name the tenant or instance
	// the connection reaches (connector.Attribute.Pins), by name: the part
	// of the connection a definition hash covers.
	Pins map[string]string
}

// Flow is a checked flow, ready to execute.
type Flow struct {
	Name        string
	Hash        string
	Enabled     bool
	Timeout     time.Duration // 0: the engine default
	Concurrency int           // 0: unlimited
	OnError     string
	Trigger     *Trigger
	Cards       []*Card
	Decl        *config.Flow
	Gen         *Generation

	// TriggerUse is the part of the trigger value that the flow's
	// expressions read: the runtime decodes only it of each event. nil
	// is all of it.
	TriggerUse *connector.Paths
}

// Card returns the card called name, or nil.
func (f *Flow) Card(name string) *Card {
	for _, c := range f.Cards {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Trigger is a checked trigger.
type Trigger struct {
	Type       string
	Connector  *connector.Connector
	Spec       *connector.Trigger
	Connection string
	Config     cty.Value
	Filter     *lang.Predicate
	Every      time.Duration
	// Output is the type of trigger.* that expressions are checked
	// against: Spec.Output, narrowed by Spec.OutputFor.
	Output cty.Type
	// Sensitive are the fields of the events the block declares sensitive
	// (Spec.Sensitive): never stored, marked sensitive in the first run.
	Sensitive []connector.SensitiveField
	// Secrets are the flow's known secret strings that a pushed event may
	// echo (the endpoint's token, sensitive variables, connection
	// secrets): Redact keeps them out of the stored event. Set for
	// triggers invoked per flow (endpoints) only.
	Secrets []string
	// secretBytes are Secrets as bytes, made once for Redact's scan of
	// every event (nil: made per call).
	secretBytes [][]byte
}

// Card is a checked card.
type Card struct {
	Name        string
	Index       int
	Action      *connector.Action
	Connector   *connector.Connector
	Connection  string
	If          *lang.Predicate
	ForEach     hcl.Expression
	Concurrency int
	Timeout     time.Duration
	Retry       RetryPolicy
	OnError     config.OnError
	Inputs      hcl.Attributes
	// Output is the type of card.<name>: the action's output, or a map of
	// it keyed by each.key for for_each cards.
	Output cty.Type
	Decl   *config.Card
	// Static are the card's inputs as far as they are known before it
	// runs (values of earlier cards and of the trigger are unknown): one,
	// or one per element of a for_each whose collection is known then (a
	// variable's list of groups, say), with Each set. `cardflow validate
	// --check-env` asks the remote side about them (Action.CheckRemote).
	Static []StaticInput
}

// StaticInput is one set of a card's inputs known before it runs.
type StaticInput struct {
	In   cty.Value
	Each *lang.Each // the for_each element it is for; nil without for_each
}

// RetryPolicy says how a card retries transient failures.
type RetryPolicy struct {
	Attempts   int           // total attempts, ≥ 1
	Backoff    time.Duration // base delay
	MaxBackoff time.Duration // cap on one delay
}

// DefaultRetry is the policy of cards without a retry block: transient
// failures and rate limits are retried politely, for long enough to ride
// out an outage of a few minutes. Its delays are capped at 1, 2, 4, 8, 16,
// 32, 60, 60 and 60 s (about 4 minutes in all; full jitter makes it about
// 2 minutes on average); five attempts (about 15 s) turned a short outage
// into failed executions.
var DefaultRetry = RetryPolicy{Attempts: 10, Backoff: time.Second, MaxBackoff: time.Minute}
