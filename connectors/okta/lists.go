package okta

import (
	"context"
	"net/url"
	"strconv"

	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/engine/connector"
)

// Every list action pages the same way: the first request carries the
// page size, later ones follow Okta's rel="next" link as given (it holds
// the opaque after cursor), until the list ends or limit items are in.
// Each page is one request through the connection's rate limiter.

// limitAttr is the `limit` argument of the list actions.
func limitAttr(what string, def int) connector.Attribute {
	return connector.Attribute{Name: "limit", Type: cty.Number, Default: cty.NumberIntVal(int64(def)), Check: checkSearchLimit,
		Doc: "The most " + what + " to return (1–10000); pages are followed until then."}
}

// listLimit reads and checks `limit`.
func listLimit(in connector.Args, def int) (int, error) {
	limit := in.Int("limit", def)
	if limit < 1 || limit > maxSearchLimit {
		return 0, invalidf("limit must be between 1 and %d", maxSearchLimit)
	}
	return limit, nil
}

// listPath is path with params and a page size of at most pageSize.
func listPath(path string, params url.Values, limit, pageMax int) string {
	if params == nil {
		params = url.Values{}
	}
	params.Set("limit", strconv.Itoa(min(limit, pageMax)))
	return path + "?" + params.Encode()
}

// listAll GETs path and follows its next links until limit items are in,
// the list ends, or a page comes back empty (the System Log always links a
// next page).
func listAll[T any](ctx context.Context, c *Client, path string, limit int) ([]T, error) {
	var items []T
	for next := path; next != "" && len(items) < limit; {
		var page []T
		after, err := c.getPage(ctx, next, &page)
		if err != nil {
			return nil, err
		}
		items = append(items, page...)
		if len(page) == 0 || after == next {
			break
		}
		next = after
	}
	if len(items) > limit {
		items = items[:limit]
	}
	return items, nil
}

// optParams is url.Values of the non-empty string arguments, renamed.
func optParams(in connector.Args, names map[string]string) url.Values {
	v := url.Values{}
	for arg, param := range names {
		if s := in.String(arg); s != "" {
			v.Set(param, s)
		}
	}
	return v
}
