// Package okta is the Okta connector of cardflow: a connection to one Okta
// org (SSWS API token or an OAuth 2.0 service app with a private key), the
// identity actions a flow needs (read, search and update users, group and
// app membership, lifecycle, a raw API call) and two triggers: Okta event
// hooks pushed to /hooks/okta/<connection> and System Log polling.
//
// Every remote call goes through okta-sdk-golang v2 with its cache and its
// own 429 retries turned off: the engine's retry policy is the only retry
// layer, and every failure is an *connector.Error whose Kind says whether
// a retry is worth it. A per-connection token bucket (x/time/rate) keeps a
// connection under the tenant's rate limits instead of bouncing off them.
//
// The connection's http.RoundTripper (transport.go) works around the SDK
// where it would hurt a workflow engine: it keeps a 429's headers (the SDK
// drops the response and with it X-Rate-Limit-Reset), stops the SDK's
// unbounded retry loop on io.EOF, bounds each request with request_timeout
// and releases it on EOF (the SDK leaves OAuth token bodies open). Paging
// follows Link rel="next" with our own parser (links.go), because the SDK
// misreads links folded into one header line.
//
// This package imports no engine package but engine/connector, does no
// network I/O when a connection is opened (validate and dry-run open
// connections), and never logs or returns secrets.
package okta
