package emulator

import (
	"errors"
	"time"
)

// Time is a timestamp as Okta writes it: UTC with exactly three
// fractional digits, "2026-12-07T23:21:18.000Z". A time.Time would encode
// as RFC 3339 with only the digits it needs ("…18.1Z", "…18Z"), a shape
// Okta never sends and that a client parsing Okta's fixed layout rejects.
// Reading accepts any RFC 3339 time.
type Time struct{ time.Time }

// oktaLayout is Okta's timestamp layout; the Z is literal, so it is only
// right for UTC times.
const oktaLayout = "2006-01-02T15:04:05.000Z"

// MarshalJSON writes t in Okta's layout.
func (t Time) MarshalJSON() ([]byte, error) { return t.appendJSON(make([]byte, 0, 26)) }

// appendJSON appends t quoted in Okta's layout. Like time.Time, it fails
// for years that do not have four digits.
func (t Time) appendJSON(dst []byte) ([]byte, error) {
	u := t.UTC()
	if y := u.Year(); y < 0 || y > 9999 {
		return dst, errors.New("emulator.Time.MarshalJSON: year outside of range [0,9999]")
	}
	dst = append(dst, '"')
	dst = u.AppendFormat(dst, oktaLayout)
	return append(dst, '"'), nil
}

// oktaTime wraps a time of the org's records for an API answer.
func oktaTime(t time.Time) Time { return Time{t} }

// oktaTimePtr is oktaTime of an optional time; nil stays nil (JSON null).
func oktaTimePtr(t *time.Time) *Time {
	if t == nil {
		return nil
	}
	return &Time{*t}
}
