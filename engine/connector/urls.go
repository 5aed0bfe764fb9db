package connector

import (
	"errors"
	"net/url"
	"strings"
)

// URLForError is rawURL as an error may show it: without its query,
// fragment and user information, which carry API keys, signatures and
// passwords (a secret in a query is also spelled URL-encoded there, where
// scrubbing by value may not recognise it). A URL that does not parse is
// cut at its first '?' or '#', and loses what comes before an '@' in its
// authority.
func URLForError(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		cut := ""
		if i := strings.IndexAny(rawURL, "?#"); i >= 0 {
			rawURL, cut = rawURL[:i], "?…"
		}
		return withoutUserinfo(rawURL) + cut
	}
	cut := u.RawQuery != "" || u.ForceQuery || u.Fragment != ""
	u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment, u.User = "", false, "", "", nil
	if cut {
		return u.String() + "?…"
	}
	return u.String()
}

// withoutUserinfo drops "user:password@" from the authority of a URL that
// url.Parse refused.
func withoutUserinfo(raw string) string {
	start := 0
	if i := strings.Index(raw, "://"); i >= 0 {
		start = i + 3
	}
	end := len(raw)
	if i := strings.IndexByte(raw[start:], '/'); i >= 0 {
		end = start + i
	}
	if at := strings.LastIndexByte(raw[start:end], '@'); at >= 0 {
		return raw[:start] + raw[start+at+1:]
	}
	return raw
}

// URLParseError is the error of url.Parse(rawURL) with the URL it quotes
// passed through URLForError: url.Parse spells the whole input, password
// and query included, into its message.
func URLParseError(rawURL string, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return &url.Error{Op: ue.Op, URL: URLForError(rawURL), Err: ue.Err}
	}
	return err
}

// WithoutURLQuery returns err with the URL of the *url.Error that net/http
// wraps every failed round trip in (`Get "https://…?key=…": …`) passed
// through URLForError. errors.Is and As still reach the original chain.
func WithoutURLQuery(err error) error {
	var ue *url.Error
	if err == nil || !errors.As(err, &ue) {
		return err
	}
	clean := URLForError(ue.URL)
	if clean == ue.URL {
		return err
	}
	if err == error(ue) {
		return &url.Error{Op: ue.Op, URL: clean, Err: ue.Err}
	}
	return &urlCleanError{msg: strings.ReplaceAll(err.Error(), ue.URL, clean), err: err}
}

// urlCleanError is an error whose message had a URL cut by WithoutURLQuery.
type urlCleanError struct {
	msg string
	err error
}

func (e *urlCleanError) Error() string { return e.msg }
func (e *urlCleanError) Unwrap() error { return e.err }
