// Package trigger runs the triggers of a generation that produce events on
// their own: pollers (Okta System Log, ServiceNow records) and schedules. It
// keeps their cursors in the store, emits events and cursor together, and
// starts, keeps or restarts each flow's trigger when a new generation is
// activated. Pushed events (event hooks, endpoints) arrive through
// engine/server instead.
package trigger
