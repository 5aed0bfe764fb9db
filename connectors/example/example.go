package example

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/engine/connector"
)

// Name is the connector's name in flows: example.get_ticket.
const Name = "example"

// New returns the connector's descriptor.
func New() *connector.Connector {
	return &connector.Connector{
		Name: Name,
		Doc:  "A made-up ticketing service: the model connector to copy.",
		Connection: connector.Schema{
			// Pins: the URL names the service's tenant; an execution started
			// against one is never resumed against another.
			{Name: "base_url", Type: cty.String, Required: true, Pins: true, Doc: "The service's base URL."},
			{Name: "token", Type: cty.String, Required: true, Sensitive: true, Doc: "A bearer token; from env() or file()."},
		},
		Open: Open,
		// One function per action, in the file of its concept once there
		// are several (okta/users.go, servicenow/records.go).
		Actions: []*connector.Action{
			getTicketAction(),
			createTicketAction(),
		},
	}
}

// ticketType is the Output of both actions: card.<name>.id and so on.
var ticketType = cty.Object(map[string]cty.Type{
	"id": cty.String, "title": cty.String, "priority": cty.Number, "status": cty.String,
})

// Client is a provisioned connection. The engine keeps it across reloads
// while the connection's settings are unchanged and closes it when no
// generation uses it.
type Client struct {
	base  *url.URL
	token string
	http  *http.Client
}

var _ connector.Client = (*Client)(nil)

// Open provisions a connection from its evaluated block. No network I/O.
// What it refuses is kind invalid, named "example.open": the engine fails
// the card with that kind and does not retry.
func Open(cfg cty.Value) (connector.Client, error) {
	base, err := url.Parse(cfg.GetAttr("base_url").AsString())
	if err != nil || base.Scheme == "" || base.Host == "" {
		return nil, &connector.Error{Kind: connector.Invalid, Op: Name + ".open",
			Message: fmt.Sprintf("base_url %q is not an absolute URL", connector.URLForError(cfg.GetAttr("base_url").AsString())),
			Err:     connector.URLParseError(cfg.GetAttr("base_url").AsString(), err)}
	}
	return &Client{base: base, token: cfg.GetAttr("token").AsString(), http: &http.Client{Timeout: 30 * time.Second}}, nil
}

// Close implements connector.Client.
func (c *Client) Close() error {
	c.http.CloseIdleConnections()
	return nil
}

func getTicketAction() *connector.Action {
	return connector.NewAction(Name, connector.Action{
		Name:   "get_ticket",
		Doc:    "Reads a ticket; fails with kind not_found when there is none.",
		Effect: connector.Read,
		Input:  connector.Schema{{Name: "id", Type: cty.String, Required: true, Doc: "The ticket's id."}},
		Output: ticketType,
	}, getTicket)
}

func getTicket(ctx context.Context, c *Client, call *connector.Call) (any, error) {
	var t map[string]any // FromGo converts the decoded JSON to ticketType
	err := c.do(ctx, http.MethodGet, "/tickets/"+url.PathEscape(call.Input.String("id")), nil, "", &t)
	return t, err
}

func createTicketAction() *connector.Action {
	return connector.NewAction(Name, connector.Action{
		Name:   "create_ticket",
		Doc:    "Opens a ticket, once per card invocation: a retry or a replay gets the ticket the first attempt opened.",
		Effect: connector.Write,
		Input: connector.Schema{
			{Name: "title", Type: cty.String, Required: true, Doc: "One line."},
			{Name: "priority", Type: cty.Number, Default: cty.NumberIntVal(3), Doc: "1 (highest) to 5."},
		},
		Output: ticketType,
	}, createTicket)
}

func createTicket(ctx context.Context, c *Client, call *connector.Call) (any, error) {
	body := map[string]any{"title": call.Input.String("title"), "priority": call.Input.Int("priority", 3)}
	var t map[string]any
	// The service answers a repeated Idempotency-Key with the ticket the
	// first request made; the key is the same for every attempt of this
	// card in this execution.
	err := c.do(ctx, http.MethodPost, "/tickets", body, call.Key.String(), &t)
	return t, err
}

// do sends one request and decodes a 2xx answer into out; any other
// answer becomes an *connector.Error of the status's kind.
func (c *Client) do(ctx context.Context, method, path string, body any, idemKey string, out any) error {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		r = strings.NewReader(string(b))
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base.JoinPath(path).String(), r)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if idemKey != "" {
		req.Header.Set("Idempotency-Key", idemKey)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		// The request may not have reached the service: try again.
		return &connector.Error{Kind: connector.Transient, Op: method + " " + path, Err: err}
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		e := &connector.Error{Kind: connector.HTTPKind(resp.StatusCode), Op: method + " " + path,
			Status: resp.StatusCode, Message: strings.TrimSpace(string(msg))}
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil {
			e.RetryAt = time.Now().Add(time.Duration(s) * time.Second)
		}
		return e
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("decoding the answer: %w", err)
	}
	return nil
}
