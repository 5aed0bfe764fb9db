// Package flatjson reads the one JSON shape the Table API is made of, an
// object whose values are all strings, straight into a map[string]string:
// a record in a response (with sysparm_exclude_reference_link=true) and a
// record in a write. encoding/json reads it through reflection into
// interfaces, which was most of what a record cost the connector and the
// emulator.
//
// It reads the text with connector/jsonscan, which accepts what
// encoding/json accepts and unquotes strings as it does (invalid UTF-8 and
// lone surrogates become U+FFFD), and adds only the shape. It must not
// grow into a JSON parser: anything but that shape (numbers, objects,
// arrays, trailing data) is refused, and callers then decode with
// encoding/json as before, so the two always agree.
package flatjson
