// Package console is cardflow's operator console: server-rendered pages of
// the loaded flows (each drawn as its chain of cards), executions (a list
// with filters and keyset pages, one execution card by card with its
// inputs and outputs), flow tables, health and the audit log of operator
// actions, plus replay, cancel and wake ("Retry now") for operators.
//
// It is an http.Handler that the admin surface mounts under /ui/. It reads
// and acts only through a Source, which the engine's facade implements; it
// never opens a store, and it prints nothing. Pages work without
// JavaScript; a few lines of it (static/console.js) make lists and the open
// execution follow the store live through server-sent events.
//
// Authentication: behind an Authenticator, a browser logs in once with an
// admin token and gets a session cookie (HttpOnly, SameSite=Strict, signed
// with a key of this process). A session keeps its token's digest and asks
// the Authenticator again on every request, so that a revoked token or a
// changed role takes effect at once. Replay, cancel and wake need the
// operate role and a form token tied to the session.
package console
