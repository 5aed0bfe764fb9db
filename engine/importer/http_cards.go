package importer

import "strings"

// The HTTP connector's cards (HTTP Raw Request, Get, Post, Put) as
// http.request.

func httpCard(method string) *actionMapping {
	mp := &actionMapping{
		action:  "http.request",
		inputs:  map[string]string{"URL": "url", "Method": "method", "Query": "query", "Headers": "headers", "Body": "body"},
		outputs: map[string]string{"Status Code": ".status", "Body": ".body", "Headers": ".headers"},
		note:    "move credentials from headers to secret_headers, read from env().",
	}
	if method != "" {
		mp.fixed = map[string]string{"method": `"` + method + `"`}
	}
	return mp
}

var httpCards = map[string]*actionMapping{
	"raw":    httpCard(""),
	"get":    httpCard("GET"),
	"post":   httpCard("POST"),
	"put":    httpCard("PUT"),
	"patch":  httpCard("PATCH"),
	"delete": httpCard("DELETE"),
}

// mapArg turns the text Okta Workflows accepts for a map input (query,
// headers) into the map cardflow wants: JSON text is decoded, a query
// string "?a=1&b=${x}" split into its parameters. drop is true for a query
// string with no parameters; ok is false when e is text of another form.
func mapArg(e string) (expr string, drop, ok bool) {
	if !strings.HasPrefix(e, `"`) || !strings.HasSuffix(e, `"`) || len(e) < 2 {
		return e, false, true // not text: a map, or a reference to one
	}
	body := e[1 : len(e)-1]
	switch {
	case strings.HasPrefix(trimEscapedSpace(body), "{"):
		return "jsondecode(" + e + ")", false, true
	case strings.HasPrefix(body, "?"):
		return queryObject(body[1:])
	}
	return e, false, false
}

// trimEscapedSpace trims the leading white space of a template's text,
// where a newline is written \n.
func trimEscapedSpace(s string) string {
	for {
		t := strings.TrimLeft(s, " ")
		t = strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(t, `\n`), `\r`), `\t`)
		if t == s {
			return s
		}
		s = t
	}
}

// queryObject splits the text of a query string template into an object of
// its parameters; the values keep their ${…} interpolations.
func queryObject(q string) (string, bool, bool) {
	if q == "" {
		return "", true, true
	}
	var keys []string
	vals := map[string]string{}
	for _, pair := range splitOutside(q, '&') {
		kv := splitOutside(pair, '=')
		if len(kv) < 2 || strings.Contains(kv[0], "${") || kv[0] == "" {
			return "", false, false
		}
		k := kv[0]
		if _, dup := vals[k]; !dup {
			keys = append(keys, k)
		}
		vals[k] = `"` + strings.Join(kv[1:], "=") + `"`
	}
	return object(keys, vals), false, true
}

// splitOutside splits s at sep where sep is not inside ${…}.
func splitOutside(s string, sep byte) []string {
	var parts []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '$' && i+1 < len(s) && s[i+1] == '{':
			depth++
			i++
		case s[i] == '}' && depth > 0:
			depth--
		case s[i] == sep && depth == 0:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}
