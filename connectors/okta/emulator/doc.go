// Package emulator is an in-memory Okta Management API for tests and demos.
//
// It serves enough of /api/v1 (users and their password, unlock, factor and
// session operations; groups; apps with their settings, credentials and
// user and group assignments; System Log; event hooks)
// that the unmodified okta-sdk-golang v2 client works against an
// httptest.Server wrapping an *Emulator: the same paths, status codes, error
// bodies (errorCode, errorSummary, errorLink, errorId, errorCauses), rate-limit
// headers and Link paging. Every change appends a System Log event and, when an
// active and verified event hook subscribes to its type, delivers it
// asynchronously with Okta's envelope, 3 s timeout and single retry on 5xx or
// timeout.
//
// Activation follows Okta: a user without a password is PROVISIONED until
// the welcome flow, which the emulator's own control
// POST /_emulator/users/{id}/welcome (CompleteActivation) plays for the user.
//
// Deliberate simplifications: an activation completes within the request
// (no transitioningToStatus); passwords are accepted and
// never checked; search takes the full grammar (eq, ne, sw, ew, co, gt, ge,
// lt, le, pr, and/or, parentheses) and filter, as in Okta, only the
// attributes and operators each endpoint lists (users and groups, 400
// E0000031 for the rest); requests are counted in Okta's per-endpoint
// rate-limit buckets (RateBuckets) and reported in the X-Rate-Limit-*
// headers, but refused with 429 only with Options.EnforceRateLimits (which
// also enforces Okta's concurrency limit, Options.ConcurrencyLimit) or an
// injected Fault; each event-hook
// delivery carries one event, sent at once, unless
// Options.DeliveryBatchWindow amalgamates the events of a window; seeded
// objects write no System
// Log events; there is no OAuth, no group rules and no persistence. As in
// Okta, every user is a member of the BUILT_IN group "Everyone", which cannot
// be changed, deleted or have its membership changed (403 E0000006).
//
// Event hooks subscribe only to the event types of the connector's table
// (package eventtypes): another type is refused with 400 E0000001, as Okta
// refuses types that do not exist or are not eligible for event hooks.
//
// RegisterEventHook (the Go helper) verifies the hook itself by sending the
// one-time verification GET, so demo code needs no separate call; hooks made
// over HTTP stay UNVERIFIED and get no deliveries until
// POST /api/v1/eventHooks/{id}/lifecycle/verify succeeds, as in Okta.
//
// The package must not import anything from engine/: it is a stand-in for
// Okta, not part of cardflow.
package emulator
