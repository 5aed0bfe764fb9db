// Package jsonw appends JSON text to byte slices, byte for byte as
// encoding/json writes it, for the few places that write JSON by hand for
// speed (the journal's redacting encoder, the ServiceNow emulator's answers) and must
// not differ from what encoding/json would write.
package jsonw
