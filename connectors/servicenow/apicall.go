package servicenow

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/engine/connector"
)

func apiCallAction() *connector.Action {
	return connector.NewAction(Name, connector.Action{
		Name: "api_call", Effect: connector.Write, Input: apiCallInput(), Output: apiCallOutput,
		Doc: "Sends any request to the instance with the connection's credentials and returns status, headers and the decoded JSON body. Statuses of 400 and above fail the card with the matching error kind.",
	}, apiCall)
}

// apiCall sends any request to the instance with the connection's
// credentials, rate limiter and error mapping: the escape hatch for APIs the
// connector has no card for (Okta Workflows' "Custom API Action").
func apiCall(ctx context.Context, c *Client, call *connector.Call) (any, error) {
	const op = "servicenow.api_call"
	in := call.Input
	method := strings.ToUpper(in.String("method"))
	if method == "" {
		method = http.MethodGet
	}
	path := in.String("path")
	if err := checkPath(cty.StringVal(path)); err != nil {
		return nil, &connector.Error{Kind: connector.Invalid, Op: op, Message: err.Error()}
	}
	r := &request{op: op, method: method, path: path, query: url.Values{}, header: http.Header{}}
	for k, v := range in.StringMap("query") {
		r.query.Set(k, v)
	}
	for k, v := range in.StringMap("headers") {
		r.header.Set(k, v)
	}
	if body := in.Get("body"); known(body) {
		g, err := connector.ToGo(body)
		if err != nil {
			return nil, &connector.Error{Kind: connector.Invalid, Op: op, Message: "body: " + err.Error()}
		}
		if text, ok := g.(string); ok {
			r.body = []byte(text) // sent as it is, not as a JSON string
		} else {
			r.body = g
		}
	}
	resp, err := c.send(ctx, r)
	if err != nil {
		return nil, err
	}
	body, err := bodyValue(resp)
	if err != nil {
		return nil, &connector.Error{Kind: connector.Other, Op: op, Status: resp.status, Message: "cannot decode the response body", Err: err}
	}
	headers := make(map[string]string, len(resp.header))
	for k, vs := range resp.header {
		headers[k] = strings.Join(vs, ", ")
	}
	return cty.ObjectVal(map[string]cty.Value{
		"status":  cty.NumberIntVal(int64(resp.status)),
		"headers": mapValue(headers),
		"body":    body,
	}), nil
}

// bodyValue decodes a JSON body; other bodies become a string, an empty one
// null.
func bodyValue(resp *response) (cty.Value, error) {
	b := bytes.TrimSpace(resp.body)
	if len(b) == 0 {
		return cty.NullVal(cty.DynamicPseudoType), nil
	}
	ct := resp.header.Get("Content-Type")
	if strings.Contains(ct, "json") || b[0] == '{' || b[0] == '[' {
		var v any
		if err := decodeJSON(b, &v); err == nil {
			return connector.FromGo(v, cty.DynamicPseudoType)
		}
	}
	return cty.StringVal(string(resp.body)), nil
}
