package emulator

import (
	"net/url"
	"strings"
)

// params are a request's query parameters read as url.URL.Query reads
// them, kept as the list of pairs they are: a Table API request carries a
// handful, and url.Values is a map and a slice per name, a tenth of what
// answering a list request cost. TestParamsReadAsURLQuery holds the two
// to the same values.
type params struct {
	pairs []param
	// values is url.ParseQuery's own reading, for a query with more pairs
	// than a request has (ParseQuery also limits how many it reads).
	values url.Values
}

type param struct{ name, value string }

// maxPairs is the most pairs params keeps as a list.
const maxPairs = 32

// queryParams reads a raw query: pairs split at '&', a pair holding a ';'
// or failing to unescape is left out, as url.ParseQuery does.
func queryParams(raw string) params {
	n := strings.Count(raw, "&") + 1
	if n > maxPairs {
		v, _ := url.ParseQuery(raw) // an error leaves the readable pairs
		return params{values: v}
	}
	p := params{pairs: make([]param, 0, n)}
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" || strings.Contains(pair, ";") {
			continue
		}
		name, value, _ := strings.Cut(pair, "=")
		name, err := unescape(name)
		if err != nil {
			continue
		}
		if value, err = unescape(value); err != nil {
			continue
		}
		p.pairs = append(p.pairs, param{name, value})
	}
	return p
}

// unescape is url.QueryUnescape, without its call for a string that has
// nothing to unescape.
func unescape(s string) (string, error) {
	if !strings.ContainsAny(s, "%+") {
		return s, nil
	}
	return url.QueryUnescape(s)
}

// Get returns the first value of name, or "".
func (p params) Get(name string) string {
	if p.values != nil {
		return p.values.Get(name)
	}
	for _, q := range p.pairs {
		if q.name == name {
			return q.value
		}
	}
	return ""
}

// Values returns the parameters as url.Values.
func (p params) Values() url.Values {
	if p.values != nil {
		return p.values
	}
	v := make(url.Values, len(p.pairs))
	for _, q := range p.pairs {
		v[q.name] = append(v[q.name], q.value)
	}
	return v
}
