package okta

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/engine/connector"
)

// maxAPIBody caps an api_call response body.
const maxAPIBody = 10 << 20

var apiMethods = []string{"GET", "POST", "PUT", "PATCH", "DELETE"}

func apiCallAction() *connector.Action {
	return connector.NewAction(Name, connector.Action{
		Name: "api_call",
		Doc: "Calls any Okta Management API endpoint with the connection's credentials, rate limit and timeout " +
			"(Okta Workflows' Custom API Action). Non-2xx answers are errors classified like every other " +
			"action. Its effect is Write whatever the method: dry runs intercept it, GETs included.",
		Effect: connector.Write,
		Input: connector.Schema{
			{Name: "method", Type: cty.String, Default: cty.StringVal("GET"), Check: checkMethod,
				Doc: "GET, POST, PUT, PATCH or DELETE."},
			{Name: "path", Type: cty.String, Required: true, Check: checkAPIPath,
				Doc: "The path below the org URL, e.g. /api/v1/users/00u1/roles."},
			{Name: "query", Type: cty.Map(cty.String), CredentialKeys: true, Doc: "Query parameters, added to those in path."},
			{Name: "body", Type: cty.DynamicPseudoType, Doc: "The body, for POST, PUT and PATCH, sent as application/json: a string is sent as it is (JSON text), any other value JSON-encoded."},
		},
		Output: apiCallOutput,
	}, apiCall)
}

func apiCall(ctx context.Context, c *Client, call *connector.Call) (any, error) {
	method := strings.ToUpper(call.Input.String("method"))
	if method == "" {
		method = http.MethodGet
	}
	if err := validMethod(method); err != nil {
		return nil, invalidf("%v", err)
	}
	target, err := apiTarget(call.Input.String("path"), call.Input.StringMap("query"))
	if err != nil {
		return nil, invalidf("%v", err)
	}
	body, err := connector.ToGo(call.Input.Get("body"))
	if err != nil {
		return nil, invalidf("body: %v", err)
	}
	// The SDK's request executor builds the request so that every
	// authorization mode (SSWS, OAuth private key) applies; the answer is
	// read here because the SDK only decodes JSON bodies.
	var req *http.Request
	if text, ok := body.(string); ok {
		// JSON text built with a template goes as it is: encoded, it
		// would reach Okta as one quoted string.
		req, err = c.sdk.CloneRequestExecutor().NewRequest(method, target, []byte(text))
	} else if body != nil {
		req, err = c.sdk.CloneRequestExecutor().NewRequest(method, target, body)
	} else {
		req, err = c.sdk.CloneRequestExecutor().NewRequest(method, target, nil)
	}
	if err != nil {
		return nil, classifyHTTP(0, nil, err)
	}
	resp, err := c.http.Do(req.WithContext(ctx))
	if err != nil {
		return nil, classifyHTTP(0, nil, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAPIBody+1))
	if err != nil {
		return nil, classifyHTTP(0, nil, err)
	}
	if len(data) > maxAPIBody {
		return nil, invalidf("the response body is larger than %d bytes", maxAPIBody)
	}
	if resp.StatusCode >= 400 {
		return nil, errorFromBody(resp.StatusCode, resp.Header, data)
	}
	return map[string]any{
		"status":  resp.StatusCode,
		"headers": responseHeaders(resp.Header),
		"body":    decodeBody(resp.Header.Get("Content-Type"), data),
	}, nil
}

// apiTarget checks path and merges query into it. The SDK prefixes the org
// URL by concatenation, so a path must start with exactly one '/': anything
// else ("@evil.example/…") could send the token to another host.
func apiTarget(path string, q map[string]string) (string, error) {
	if err := validAPIPath(path); err != nil {
		return "", err
	}
	u, err := url.Parse(path)
	if err != nil {
		return "", fmt.Errorf("path: %v", err)
	}
	if len(q) > 0 {
		values := u.Query()
		for _, k := range connector.SortedKeys(q) {
			values.Set(k, q[k])
		}
		u.RawQuery = values.Encode()
	}
	return u.RequestURI(), nil
}

func validAPIPath(path string) error {
	switch {
	case !strings.HasPrefix(path, "/"):
		return fmt.Errorf("path %q must start with /, e.g. /api/v1/users", path)
	case strings.HasPrefix(path, "//"), strings.ContainsAny(path, "#\\ \t\r\n"):
		return fmt.Errorf("path %q must be a plain path below the org URL", path)
	}
	return nil
}

func validMethod(m string) error {
	for _, ok := range apiMethods {
		if m == ok {
			return nil
		}
	}
	return fmt.Errorf("method %q is not one of %s", m, strings.Join(apiMethods, ", "))
}

func checkMethod(v cty.Value) error {
	v, ok := checkable(v)
	if !ok {
		return nil
	}
	return validMethod(strings.ToUpper(v.AsString()))
}

func checkAPIPath(v cty.Value) error {
	v, ok := checkable(v)
	if !ok {
		return nil
	}
	return validAPIPath(v.AsString())
}

// responseHeaders flattens headers, minus cookies.
func responseHeaders(h http.Header) map[string]any {
	out := make(map[string]any, len(h))
	for k, v := range h {
		if strings.EqualFold(k, "Set-Cookie") {
			continue
		}
		out[k] = strings.Join(v, ", ")
	}
	return out
}

// decodeBody is the JSON value of a JSON body, the text of any other, and
// null for none.
func decodeBody(contentType string, data []byte) any {
	if len(data) == 0 {
		return nil
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	if mt == "application/json" || strings.HasSuffix(mt, "+json") {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var v any
		if dec.Decode(&v) == nil {
			return v
		}
	}
	return string(data)
}
