package servicenow

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/cardflow/cardflow/engine/connector"
)

// A create whose answer is lost — the client's timeout, a connection reset
// after the request was sent, a proxy's 504 — is ambiguous: the instance
// runs the transaction to its end whatever happened to the caller, so the
// record may appear seconds later. Looking it up by its idempotency key at
// once finds nothing yet, and a new POST would open a second incident. So
// a lost create is remembered with the time by which its transaction has
// surely ended (sent + ambiguous_create_wait), and until then a retry only
// looks the record up; it creates again only after that time, when the
// record still is not there.

// lostAnswer marks a transport failure after which the request may have
// reached the instance.
type lostAnswer struct{ err error }

func (l *lostAnswer) Error() string { return l.err.Error() }
func (l *lostAnswer) Unwrap() error { return l.err }

// lost marks err, from http.Client.Do, as a lost answer unless the request
// surely never left: a failed dial or name lookup.
func lost(err error) error {
	var oe *net.OpError
	var de *net.DNSError
	if errors.As(err, &oe) && oe.Op == "dial" || errors.As(err, &de) {
		return err
	}
	return &lostAnswer{err}
}

// answerLost reports whether err leaves it open whether the request took
// effect.
func answerLost(err error) bool {
	var la *lostAnswer
	if errors.As(err, &la) {
		return true
	}
	var ce *connector.Error
	return errors.As(err, &ce) && ce.Status == http.StatusGatewayTimeout
}

// ambiguousCreates remembers, per idempotency key, until when a create
// whose answer was lost may still commit. It lives in the Client, so it is
// shared by every card of the connection and lasts as long as the process.
type ambiguousCreates struct {
	wait    time.Duration
	mu      sync.Mutex
	pending map[string]time.Time
}

// lost records that a create of key sent at sent lost its answer and
// returns when its transaction has surely ended.
func (a *ambiguousCreates) lost(key string, sent, now time.Time) time.Time {
	until := sent.Add(a.wait)
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.pending == nil {
		a.pending = map[string]time.Time{}
	}
	for k, t := range a.pending { // forget the ones no retry came back for
		if now.After(t.Add(a.wait)) {
			delete(a.pending, k)
		}
	}
	if t, ok := a.pending[key]; !ok || until.After(t) {
		a.pending[key] = until
	}
	return a.pending[key]
}

// until returns when a lost create of key may still commit, if that is
// after now.
func (a *ambiguousCreates) until(key string, now time.Time) (time.Time, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	t, ok := a.pending[key]
	if ok && !now.Before(t) {
		delete(a.pending, key)
		return time.Time{}, false
	}
	return t, ok
}

// resolved forgets key: its record was found.
func (a *ambiguousCreates) resolved(key string) {
	a.mu.Lock()
	delete(a.pending, key)
	a.mu.Unlock()
}

// createKey names an idempotent create within a connection.
func createKey(table, field, key string) string { return table + "\x00" + field + "\x00" + key }

// lostCreate is the error of a create whose answer was lost and whose
// record is not there yet: transient, retried no earlier than until.
func lostCreate(op, field, key string, until time.Time, err error) error {
	return &connector.Error{Kind: connector.Transient, Op: op, RetryAt: until, Err: err,
		Message: fmt.Sprintf("the create's answer was lost and the instance may still commit it: cardflow looks for %s=%s again at %s before creating",
			field, key, until.UTC().Format(time.RFC3339))}
}

// stillCommitting is the error of a retry that comes back before a lost
// create's transaction has surely ended.
func stillCommitting(op, field, key string, until time.Time) error {
	return &connector.Error{Kind: connector.Transient, Op: op, RetryAt: until,
		Message: fmt.Sprintf("an earlier create with %s=%s lost its answer and may still commit until %s: not creating another before then",
			field, key, until.UTC().Format(time.RFC3339))}
}
