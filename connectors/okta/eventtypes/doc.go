// Package eventtypes is the table of Okta event types cardflow knows: the
// event-hook-eligible types of Okta's event catalog that flows start on
// (user lifecycle and account, group and app membership, admin changes),
// and the known types Okta never delivers to event hooks. The Okta
// connector checks flows against it and the Okta emulator takes event hook
// subscriptions from it, so that both agree on what a hook can subscribe
// to.
//
// It must import nothing of cardflow: the emulator, which must not depend
// on the engine, imports it.
package eventtypes
