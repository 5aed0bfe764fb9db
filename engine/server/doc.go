// Package server is cardflow's HTTP surface: Okta event hooks on
// /hooks/<connector>/<connection>, endpoint flows on /flows/<flow>/invoke,
// /healthz, /metrics and a read-only history API.
//
// An event is answered 2xx only after it is in the durable inbox, and a
// request that cannot be stored whole stores nothing. Flows never run
// inline: the worker pool claims them.
package server
