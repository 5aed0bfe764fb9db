// Package server is cardflow's HTTP surface, in two parts served on
// separate listeners.
//
// The public surface (Server.Handler) takes events: Okta event hooks on
// /hooks/<connector>/<connection>, endpoint flows on /flows/<flow>/invoke,
// and /healthz. Each sender proves itself as its connector requires;
// /healthz tells anyone the health status word and nothing more.
//
// The admin surface (Server.Admin) serves what holds identity data or
// changes state, or tells how the engine is set up: the history API,
// replays, the health detail, /metrics, profiles, and the
// handlers other packages mount on it (the console). Every request is
// authenticated by an Authenticator (bearer tokens from a token file, or
// trust on a loopback listener without tokens) and each route needs a role.
//
// The public surface only routes: a hook's connector decodes the request
// and says what to answer (connector.HookReply), the events go to the
// engine's trigger.Intake, and the answer is written once they are stored.
// An event is answered 2xx only after it is in the durable inbox, and a
// request that cannot be stored whole stores nothing. Flows never run
// inline: the worker pool runs them. An endpoint flow whose trigger asks
// for a reply (connector.Reply) is answered once its execution ends: the
// call waits on its own request for the runtime's signal (Watcher) and
// reads the outcome from the store, never from the runtime, and answers
// 504 when the execution outlasts the reply's timeout.
package server
