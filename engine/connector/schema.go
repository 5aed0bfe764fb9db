package connector

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/zclconf/go-cty/cty"
)

// Attribute describes one argument of a connection, trigger or card block.
type Attribute struct {
	Name     string
	Type     cty.Type // cty.DynamicPseudoType accepts any value
	Required bool
	// Default is used when the argument is absent. cty.NilVal means null.
	Default cty.Value
	// Sensitive arguments never reach the journal, logs or output, and a
	// literal value in one is an error: secrets come from env() or file().
	Sensitive bool
	// Pins marks an argument of a connection that names the tenant or
	// instance the connection reaches (an org URL, an instance URL).
	// Executions are pinned to the values of these arguments: one that
	// started against a tenant is never resumed or replayed against
	// another. No other argument pins: credentials (sensitive or not),
	// timeouts and rate limits may change, and be rotated, under waiting,
	// failed and running executions. A sensitive argument never pins.
	Pins bool
	// CredentialKeys marks a map whose keys name its values (HTTP
	// headers, query parameters): a literal value under a key that names
	// a credential (Authorization, X-Api-Key, …token, …secret, …password)
	// is an error, as in a sensitive argument.
	CredentialKeys bool
	Doc            string
	// Check validates a known value statically (durations, cron expressions,
	// event types, encoded queries). Its error message becomes a diagnostic
	// on the argument's expression.
	Check func(cty.Value) error
}

// Schema is the ordered set of arguments of a block.
type Schema []Attribute

// Lookup returns the attribute named name.
func (s Schema) Lookup(name string) (*Attribute, bool) {
	for i := range s {
		if s[i].Name == name {
			return &s[i], true
		}
	}
	return nil, false
}

// Names returns the argument names, for did-you-mean suggestions.
func (s Schema) Names() []string {
	names := make([]string, len(s))
	for i, a := range s {
		names[i] = a.Name
	}
	return names
}

// ObjectType is the type of the object value an action or trigger receives:
// one attribute per argument.
func (s Schema) ObjectType() cty.Type {
	atys := make(map[string]cty.Type, len(s))
	for _, a := range s {
		atys[a.Name] = a.Type
	}
	return cty.Object(atys)
}

// Effect says whether an action changes the remote system. Dry runs
// intercept writes and let reads through.
type Effect uint8

// The effects of actions.
const (
	Read Effect = iota
	Write
	// Pure actions touch nothing outside the execution (text.compose).
	Pure
)

// Action is one card type a connector offers, e.g. okta.add_user_to_group.
type Action struct {
	Name   string // without the connector prefix: "add_user_to_group"
	Doc    string
	Input  Schema
	Output cty.Type // the type of card.<name> in later expressions
	Effect Effect
	// Do performs the action. It returns a value conforming to Output, or an
	// error (an *Error whose Kind decides retries). Do may be nil for actions
	// whose runtime is not available yet; the engine reports them at run.
	Do func(ctx context.Context, call *Call) (cty.Value, error)
	// Lint, when set, looks at the card's arguments as validate knows them
	// (see Finding).
	Lint func(in cty.Value) []Finding
	// LintCompare, when set, looks at a comparison, in a later card's if,
	// of the card's output at path (["status"]) with a literal string, for
	// one the output never holds there (an Okta user status "DEACTIVATED",
	// which is DEPROVISIONED in the API). in is the card's input as Lint
	// gets it. Finding.Arg and Key are not used; the warning points at the
	// predicate.
	LintCompare func(in cty.Value, path []string, literal string) (Finding, bool)
	// CheckRemote, when set, is called by `cardflow validate --check-env`
	// with the card's inputs as far as they are known before it runs (once
	// per instance of a for_each over a known list), on a client of the
	// card's connection. It only reads the remote side, and says what the
	// card will not find there (an Okta group of that name), or that it
	// could not tell. Findings become warnings, as Lint's do.
	CheckRemote func(ctx context.Context, c Client, in cty.Value) []Finding
	// Result, when set, names the argument whose value becomes the flow's
	// result when the action stops the flow (flow.return's "result"), so
	// that validate can check it against the reply of an endpoint flow
	// (Reply.Check).
	Result string
}

// Finding is something in a card's or trigger's arguments that the remote
// service would accept but the author can hardly have meant: a ServiceNow
// field the table does not have, which the Table API drops without an
// error. validate, dry-run and run report each as a warning.
//
// Lint functions get the arguments converted to their types, defaults
// applied; an argument known only when the card runs is unknown, and
// values are unmarked. Arg names the argument, and Key, when set, the map
// key or list element within it that the finding is about, so that the
// warning points at it. Reply.Check's findings are errors instead.
type Finding struct {
	Arg, Key        string
	Summary, Detail string
}

// Call is one invocation of an action. The engine may reuse a Call, its
// Input and its Host for the next card once Do returns: an action keeps
// none of them past its return (the values it reads from them are its
// own to keep).
type Call struct {
	// Client is the provisioned connection, nil for connectors without one.
	Client Client
	// Input holds the card's arguments, one per attribute of Action.Input,
	// converted to its type, with defaults applied.
	Input Args
	// Key names the card invocation; it is the same across retries, crash
	// recovery and replays, and Key.String() is an idempotency key for
	// remote systems.
	Key CallKey
	// Host gives function cards access to engine services.
	Host Host
	// Woke is the time the engine waited until for this card instance,
	// after the action returned a *Wait; zero on every other call.
	Woke time.Time
}

// CallKey names one invocation of a card: the execution, the card (as
// journaled: a helper flow's cards carry its prefix) and, for an
// instance of a for_each card, its each.key.
type CallKey struct {
	Execution, Card, Instance string
}

// String returns "execution/card/instance".
func (k CallKey) String() string { return k.Execution + "/" + k.Card + "/" + k.Instance }

// Host is what the engine lends to function cards (tables, helper flows).
type Host interface {
	// Table returns the flow table called name.
	Table(name string) (Table, error)
	// CallFlow runs the helper flow name with input. When async is true it
	// only enqueues it and returns a null value.
	CallFlow(ctx context.Context, name string, input cty.Value, async bool) (cty.Value, error)
}

// Table is a flow table: rows keyed by a string.
type Table interface {
	RowType() cty.Type
	Get(ctx context.Context, key string) (row cty.Value, found bool, err error)
	Put(ctx context.Context, key string, row cty.Value) error
	Delete(ctx context.Context, key string) (found bool, err error)
	// Scan calls fn for each row in key order until fn returns false.
	Scan(ctx context.Context, fn func(key string, row cty.Value) bool) error
}

// Client is a provisioned connection: an API client with its credentials,
// rate limiter and HTTP transport. The engine keeps a client across reloads
// while the connection's settings are unchanged, and closes it when it is
// no longer used.
type Client interface {
	Close() error
}

// TriggerMode says how a trigger produces events.
type TriggerMode uint8

// The trigger modes.
const (
	// Push triggers receive HTTP deliveries (Okta event hooks, endpoints).
	Push TriggerMode = iota
	// Poll triggers are called every interval with their persisted cursor.
	Poll
	// Schedule triggers fire on a cron expression or an interval.
	Schedule
	// Called triggers start only when another flow or the CLI calls them.
	Called
)

// Trigger is one trigger type a connector offers, e.g. okta.event_hook.
type Trigger struct {
	Name   string
	Doc    string
	Mode   TriggerMode
	Config Schema
	// Output is the type of the trigger object in expressions (trigger.*).
	// A pushed event whose payload does not fit it is refused (CheckEvent).
	Output cty.Type
	// OutputFor, when set, narrows Output for a trigger block whose config
	// cfg is known, so that validate refuses references the block's events
	// cannot have (trigger.group on user events). Values still conform to
	// Output.
	OutputFor func(cfg cty.Value) cty.Type
	// Required are the dotted paths of Output, such as "event.target", that
	// every pushed event must carry non-null: a delivery that lacks one is
	// refused with 400 rather than stored to fail its execution later.
	Required []string
	// IDField names, for errors, where a pushed event's ID comes from
	// ("event.uuid", "the Idempotency-Key header").
	IDField string
	// Accept reports whether a pushed event concerns a flow whose trigger
	// block has config cfg (event types, tables). Nil accepts everything.
	Accept func(cfg cty.Value, ev *Event) bool
	// DecodeDelivery, when set, turns a body the remote system delivers
	// to this trigger (an Okta event hook POST saved to a file) into its
	// events as the webhook does, payloads included, and reports whether
	// body is such a delivery at all: a trigger value ({"event": …}) is
	// not, and gives false with no error. Flow tests read trigger_file
	// with it, so that a recorded delivery runs as cardflow run runs it.
	DecodeDelivery func(body []byte) (events []Event, isDelivery bool, err error)
	// TypeOf, when set, is the Type an Event whose trigger value is v would
	// have (Okta's event.eventType), "" when v does not say. Dry runs and
	// flow tests, which are given trigger values rather than events, apply
	// Accept to it (AcceptsValue), so that they run a flow only for the
	// events run would start it for.
	TypeOf func(v cty.Value) string
	// Poll fetches what happened since req.Cursor (Poll mode).
	Poll func(ctx context.Context, req *PollRequest) error
	// DefaultEvery is the poll interval when the trigger block sets no
	// `every`; zero means five minutes, as Okta Workflows polls.
	DefaultEvery time.Duration
	// Invoke turns a request to the flow's own endpoint into events (Push
	// triggers that are addressed per flow, such as http.endpoint).
	Invoke func(cfg cty.Value, r *http.Request) ([]Event, error)
	// Authenticate, when set, makes Invoke's check of the caller alone
	// (its client token), returning an error of kind Permission when the
	// caller does not prove itself. The engine asks it of a disabled
	// endpoint flow, so that only a caller that proves itself learns that
	// the flow is disabled; any other gets the answer of a wrong token.
	Authenticate func(cfg cty.Value, r *http.Request) error
	// Reply, when set, says how a request to the flow's endpoint (Invoke)
	// is answered for a trigger block with config cfg. A nil Reply (or a
	// nil func) answers 202 with the execution ids once the events are
	// stored; a Reply makes the engine wait for the execution to end and
	// answer with the flow's result.
	Reply func(cfg cty.Value) *Reply
	// Sensitive, when set, returns the fields of the events that a trigger
	// block with config cfg declares sensitive (a password in an inline
	// hook's body): the engine never stores them (see SensitiveField).
	Sensitive func(cfg cty.Value) []SensitiveField
	// Lint, when set, looks at the trigger block's config (see Finding).
	Lint func(cfg cty.Value) []Finding
	// LintCompare, when set, looks at a comparison in the flow's filter or
	// a card's if of the trigger value at path (["record", "state"]) with a
	// literal string, for one that no event carries there: a ServiceNow
	// choice's label where records hold its value. Finding.Arg and Key are
	// not used; the warning points at the predicate.
	LintCompare func(cfg cty.Value, path []string, literal string) (Finding, bool)
	// CheckRemote, when set, is Action.CheckRemote for the trigger block's
	// config: what the trigger will not find on the remote side (a table).
	CheckRemote func(ctx context.Context, c Client, cfg cty.Value) []Finding
}

// AcceptsValue reports whether the trigger, with config cfg, would start
// a flow for an event whose trigger value is v, and the event's type. It
// accepts what it cannot judge: a trigger without Accept or TypeOf, a
// value that does not say its type, a config not known yet.
func (t *Trigger) AcceptsValue(cfg, v cty.Value) (bool, string) {
	if t.Accept == nil || t.TypeOf == nil || !cfg.IsWhollyKnown() || !v.IsWhollyKnown() {
		return true, ""
	}
	cfg, _ = cfg.UnmarkDeep()
	v, _ = v.UnmarkDeep()
	typ := t.TypeOf(v)
	if typ == "" {
		return true, ""
	}
	return t.Accept(cfg, &Event{Type: typ}), typ
}

// Event is one occurrence that starts an execution.
type Event struct {
	// ID is the dedup key within a flow: Okta's event uuid, a ServiceNow
	// record's sys_id@sys_mod_count. The same ID never runs twice.
	ID   string
	Type string
	Time time.Time
	// Payload is the JSON object of the trigger value (trigger.*).
	Payload json.RawMessage
}

// PollRequest is one tick of a polling trigger.
type PollRequest struct {
	Client Client
	Config cty.Value
	// Cursor is what the last Emit stored, nil on the first start.
	Cursor []byte
	// Emit durably records events and the cursor that follows them, in one
	// transaction. A poller calls it once per page; after a crash the next
	// tick starts at the last emitted cursor.
	Emit func(ctx context.Context, events []Event, cursor []byte) error
	Now  func() time.Time
}

// Webhook receives deliveries on /hooks/<connector>/<connection>.
type Webhook struct {
	// Receive authenticates and decodes one request and says what to
	// answer it: the events to store, and the answer to give once they
	// are stored (a verification challenge is an answer with no events).
	// It never writes a response itself; the engine stores the events
	// first, and answers 2xx only when they are. Errors of kind Permission
	// become 401, Invalid 400, or the Status of a *Error.
	Receive func(ctx context.Context, c Client, r *http.Request) (HookReply, error)
	// Authenticate, when set, makes Receive's check of the sender from the
	// connection's evaluated config alone, without a client, and returns
	// an error of kind Permission when the sender does not prove itself.
	// The engine asks it when the connection's client cannot be opened (a
	// bad org_url, an empty token), so that only a sender that proves
	// itself learns that the connection is unavailable (503); any other
	// gets the answer of a wrong secret. Without it, every sender does.
	Authenticate func(cfg cty.Value, r *http.Request) error
	// Sync, when set, is called by `cardflow run` after each generation of
	// flows is activated, once per connection of the connector, with the
	// triggers of enabled flows on that connection. It lets a connector
	// keep the remote side's subscription (an Okta event hook) in step with
	// the flows, or say what is missing. It returns warnings to log.
	Sync func(ctx context.Context, c Client, req HookSync) (warnings []string, err error)
	// Check, when set, is called by `cardflow validate --check-env` once
	// per connection of the connector. It only reads the remote side and
	// says what would keep a flow from starting (an event type the Okta
	// event hook does not deliver), or that it could not tell. It changes
	// nothing, whatever the connection's settings.
	Check func(ctx context.Context, c Client, req HookSync) []HookNotice
}

// HookNotice is one finding of Webhook.Check: a Title-case summary and a
// detail that says how to fix it.
type HookNotice struct {
	Summary string
	Detail  string
}

// HookReply is what a Webhook makes of one request: the events it
// carries, and the answer to send once they are stored.
type HookReply struct {
	// Events are handed to the engine's intake, which stores them (those
	// that concern an enabled flow) before the answer is sent. A request
	// that carries none (a verification challenge) is answered at once.
	Events []Event
	// Status is the answer's status; 0 means 200 OK.
	Status int
	// Header are the answer's headers, Body its body; both may be nil.
	Header http.Header
	Body   []byte
}

// HookSync is what Webhook.Sync is told about one connection.
type HookSync struct {
	// Connection is the connection's name: "main" in connection.okta.main.
	Connection string
	// Triggers are the flows' triggers on the connection.
	Triggers []TriggerUse
}

// TriggerUse is one flow's trigger: its name within the connector
// ("event_hook") and its evaluated config.
type TriggerUse struct {
	Flow    string
	Trigger string
	Config  cty.Value
}

// Connector describes a connector: its connection, actions and triggers.
type Connector struct {
	Name string // "okta", "servicenow", "text"
	Doc  string
	// Connection is the schema of `connection "<name>" "<label>"` blocks.
	// Connectors without a connection leave it nil.
	Connection Schema
	// Open provisions a connection from its evaluated config. It must not
	// do network I/O: validate and dry-run call it too.
	Open     func(cfg cty.Value) (Client, error)
	Actions  []*Action
	Triggers []*Trigger
	Webhook  *Webhook
	// CheckCredentials, when set, is called by `cardflow validate
	// --check-env` once per connection, before its other remote checks.
	// It makes one read and returns an error only when the service
	// refuses the credentials themselves (an invalid or expired token),
	// so that every call would fail: validate reports that as an error
	// and asks nothing more of the connection. A credential that is valid
	// but may not read something (a missing scope), and a service it
	// cannot reach, return nil: the other checks say what they could not
	// tell.
	CheckCredentials func(ctx context.Context, c Client) error
	// InEngine says that the connector's actions touch nothing outside the
	// engine: they work on the execution's own store through Call.Host
	// (flow tables, helper flows). Dry runs and flow tests run them against
	// their in-memory store, writes included; the writes of every other
	// connector leave the engine, and a dry run never sends them.
	InEngine bool
}

// HasConnection reports whether the connector's cards take a connection.
func (c *Connector) HasConnection() bool { return c.Connection != nil }

// Action returns the action called name.
func (c *Connector) Action(name string) (*Action, bool) {
	for _, a := range c.Actions {
		if a.Name == name {
			return a, true
		}
	}
	return nil, false
}

// Trigger returns the trigger called name.
func (c *Connector) Trigger(name string) (*Trigger, bool) {
	for _, t := range c.Triggers {
		if t.Name == name {
			return t, true
		}
	}
	return nil, false
}
