package okta

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/okta/okta-sdk-golang/v2/okta"
)

// Pagination follows Okta's Link headers with our own parser instead of
// the SDK's Response.Next: the SDK expects one link per header line and,
// given `<self>; rel="self", <next>; rel="next"` folded into one line (as
// RFC 8288 allows and proxies do), takes the self link for the next one,
// so a list would repeat its first page. It also rewrites the link's query
// with the original request's, where Okta's own link should be followed as
// given ("don't craft it").

// nextLink returns the path and query of the rel="next" link in h, or "".
func nextLink(h http.Header) string {
	for _, line := range h.Values("Link") {
		for _, lv := range splitLinks(line) {
			target, params, ok := strings.Cut(lv, ";")
			target = strings.TrimSpace(target)
			if !ok || !strings.HasPrefix(target, "<") || !strings.HasSuffix(target, ">") || !hasRel(params, "next") {
				continue
			}
			u, err := url.Parse(target[1 : len(target)-1])
			if err != nil || u.Path == "" {
				continue
			}
			return u.RequestURI()
		}
	}
	return ""
}

// splitLinks splits a Link header line on the commas between link values
// (a comma inside <…> or a quoted string is part of the value).
func splitLinks(line string) []string {
	var (
		out           []string
		start         int
		inURL, quoted bool
	)
	for i := 0; i < len(line); i++ {
		switch c := line[i]; {
		case c == '<' && !quoted:
			inURL = true
		case c == '>' && !quoted:
			inURL = false
		case c == '"' && !inURL:
			quoted = !quoted
		case c == ',' && !inURL && !quoted:
			out = append(out, line[start:i])
			start = i + 1
		}
	}
	return append(out, line[start:])
}

// hasRel reports whether link params (`; rel="next"; title=…`) have rel.
func hasRel(params, rel string) bool {
	for _, p := range strings.Split(params, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(k), "rel") {
			continue
		}
		for _, r := range strings.Fields(strings.Trim(strings.TrimSpace(v), `"`)) {
			if strings.EqualFold(r, rel) {
				return true
			}
		}
	}
	return false
}

// nextOf is the next link of an SDK response, or "".
func nextOf(resp *okta.Response) string {
	if resp == nil || resp.Response == nil {
		return ""
	}
	return nextLink(resp.Header)
}

// getPage GETs path (below the org URL) through the SDK's request executor
// into v and returns the answer's next link.
func (c *Client) getPage(ctx context.Context, path string, v any) (string, error) {
	rq := c.sdk.CloneRequestExecutor()
	req, err := rq.WithAccept("application/json").NewRequest(http.MethodGet, path, nil)
	if err != nil {
		return "", classifyHTTP(0, nil, err)
	}
	resp, err := rq.Do(ctx, req, v)
	if err != nil {
		return "", classify(resp, err)
	}
	return nextOf(resp), nil
}
