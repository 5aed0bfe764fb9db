package importer

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
