// Package flowmutate makes single-token mistakes in a directory of flow
// files, for tests that check every mistake a flow author can make gets a
// diagnostic and never a panic.
//
// It only reads the files it is given and writes the copies it is asked
// for; it knows nothing of the engine, so that a test drives the engine
// (or the built binary) exactly as a user does.
package flowmutate
