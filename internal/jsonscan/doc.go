// Package jsonscan reads JSON text without building values: exactly the
// texts encoding/json accepts (RFC 8259), with strings unquoted as
// encoding/json unquotes them (invalid UTF-8 and lone surrogates become
// U+FFFD). It is the lexical layer of connector.CheckEvent,
// connector.FromJSON, trigger.Terms, the okta event hook's delivery reader
// and the servicenow connector's record reader: each reads JSON on the
// path of every event or every API answer without building a map first.
// Differential tests and FuzzScanner hold it to encoding/json.
//
// A Scanner never accepts a text encoding/json rejects; it refuses some
// that encoding/json accepts (nesting deeper than MaxDepth). Callers that
// must agree with encoding/json take its path when a Scanner reports false.
//
// This package must not import anything but the standard library, and
// must not allocate except to unquote a string that needs it.
package jsonscan
