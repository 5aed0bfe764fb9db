package runtime

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/plan"
	"github.com/cardflow/cardflow/engine/store"
	"github.com/zclconf/go-cty/cty"
)

// attempts calls the action until it succeeds, fails permanently, or the
// retry policy gives up. Every attempt is journaled when it ends.
func (r *run) attempts(ctx context.Context, c *plan.Card, ci *cardInfo, name, key string, in input, outType cty.Type, sc *cardScratch) (cty.Value, error) {
	var client connector.Client
	if c.Connection != "" {
		conn := r.flow.Gen.Connections[c.Connection]
		cl, err := r.x.Clients.Get(conn)
		if err != nil {
			// The connector's Open chose the kind (invalid for a bad
			// connection block); the error is passed on as it is.
			return r.failed(ctx, c, name, key, 1, false, outType, err)
		}
		client = cl
	}
	// The entry's input and output are written into the scratch's buffer,
	// which goes back to it unless a lazy entry holds on to it.
	journalInput := r.sec.inputJSON(sc.jbuf, in, c.Action.Input, ci.inputOrder, ci.inputKeys, in.marked || ci.sensitiveInput)
	sc.jbuf = nil
	held := false
	defer func() {
		if !held {
			sc.jbuf = journalInput[:0]
		}
	}()
	sc.host.run, sc.host.card, sc.host.key = r, name, key
	sc.call = connector.Call{
		Client: client,
		Input:  in.args(c.Action.Input),
		Key:    connector.CallKey{Execution: r.ex.ID, Card: name, Instance: key},
		Host:   &sc.host,
	}
	call := &sc.call
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultCardTimeout
	}
	attempt, woke, first, err := r.resumeWait(ctx, name, key)
	if err != nil {
		return cty.NilVal, err
	}
	call.Woke = woke
	for {
		start := r.x.Clock.Now()
		if first.IsZero() {
			first = start // the card's first attempt
		}
		var out cty.Value
		var err error
		if c.Action.Effect == connector.Pure && c.Timeout <= 0 {
			// Pure actions compute in the process: no timer unless the
			// card asks for one.
			out, err = r.x.Invoker.Invoke(ctx, c, call)
		} else {
			actx, cancel := context.WithTimeoutCause(ctx, timeout, errCardTimeout)
			out, err = r.x.Invoker.Invoke(actx, c, call)
			if err == nil && actx.Err() != nil {
				err = actx.Err() // it answered, but too late
			}
			timedOut := errors.Is(context.Cause(actx), errCardTimeout)
			cancel()
			if timedOut && ctx.Err() == nil {
				err = &connector.Error{Kind: connector.Transient, Op: c.Connector.Name + "." + c.Action.Name, Message: fmt.Sprintf("timed out after %s", timeout), Err: err}
			}
		}
		end := r.x.Clock.Now()
		if _, ok := parkedUntil(err); ok {
			// A card of an inline helper flow parked: so does its caller,
			// which has not ended.
			return cty.NilVal, err
		}
		if w, ok := asWait(err); ok && ctx.Err() == nil {
			// A flow.wait card: wait, then call it again to end it.
			until := w.Until
			if w.For > 0 {
				until = end.Add(w.For)
			}
			if err := r.wait(ctx, name, key, attempt, until, waitCard, time.Time{}); err != nil {
				return cty.NilVal, err
			}
			call.Woke = until
			continue
		}
		r.x.Observer.CardAttempt(r.flow.Name, c.Name, end.Sub(start), err)
		entry := store.JournalEntry{
			ExecutionID: r.ex.ID, Card: name, Key: key, Attempt: attempt,
			Input: journalInput[:len(journalInput):len(journalInput)], StartedAt: start, EndedAt: end,
		}
		var stop *connector.Stop
		if err == nil || asStop(err, &stop) {
			if err == nil {
				out, err = conform(out, c, outType)
				if err != nil {
					return cty.NilVal, err
				}
				// The output shares the input's buffer when it fits.
				entry.Output = r.sec.appendObjectJSON(journalInput[len(journalInput):], out, ci.outputNames)
			} else {
				entry.Output = marshal(map[string]any{"stop": stop.Status, "reason": r.sec.scrub(stop.Reason), "result": r.sec.goValue(stop.Result)})
			}
			entry.Status = store.EntryOK
			entry.Tables = sc.host.takeWrites()
			lazy := r.lazyResult(c, name)
			held = lazy // the run holds the entry until it writes it
			if jerr := r.journal(ctx, lazy, entry); jerr != nil {
				return cty.NilVal, jerr
			}
			if stop != nil {
				return cty.NilVal, stop
			}
			return out, nil
		}
		if ctx.Err() != nil {
			// Shutdown or the execution's deadline: not the card's fault and
			// not journaled, so the attempt runs again on resume.
			return cty.NilVal, ctx.Err()
		}
		sc.host.takeWrites() // the failed attempt changes no table
		entry.Status = store.EntryError
		entry.Error = r.sec.scrub(err.Error())
		entry.ErrorKind = connector.KindOf(err).String()
		if jerr := r.journal(ctx, false, entry); jerr != nil {
			return cty.NilVal, jerr
		}
		delay, again := retryDelay(c.Retry, attempt, err, end, r.x.Rand)
		if !again {
			g := &gaveUp{err: err, reason: giveUpReason(c.Retry, attempt, err, end, end.Sub(first))}
			r.log.logger().Warn("card failed", "card", name, "key", key, "attempt", attempt, "err", entry.Error, "reason", g.reason)
			return r.failed(ctx, c, name, key, attempt, true, outType, g)
		}
		r.x.Observer.Retry(r.flow.Name, c.Name)
		r.log.logger().Info("card will retry", "card", name, "key", key, "attempt", attempt, "delay_ms", delay.Milliseconds(), "err", entry.Error)
		attempt++
		if err := r.wait(ctx, name, key, attempt, end.Add(delay), waitRetry, first); err != nil {
			return cty.NilVal, err
		}
		call.Woke = time.Time{}
	}
}

// asWait is errors.As for a *connector.Wait, apart for the reason asStop is.
func asWait(err error) (*connector.Wait, bool) {
	if err == nil {
		return nil, false
	}
	w := new(*connector.Wait)
	if errors.As(err, w) {
		return *w, true
	}
	return nil, false
}

// asStop is errors.As for a *connector.Stop, kept apart so that the
// common path (no error) does not move stop to the heap.
func asStop(err error, stop **connector.Stop) bool {
	s := new(*connector.Stop)
	if errors.As(err, s) {
		*stop = *s
		return true
	}
	return false
}

// conform checks an action's output against its declared type.
func conform(out cty.Value, c *plan.Card, outType cty.Type) (cty.Value, error) {
	if out == cty.NilVal {
		return cty.NullVal(outType), nil
	}
	if c.OnError.Mode != 0 && outType.IsObjectType() && outType.HasAttribute("error") && out.Type().IsObjectType() {
		// on_error = continue adds a null error attribute to a success.
		atys := out.Type().AttributeTypes()
		vals := make(map[string]cty.Value, len(atys)+1)
		for k := range atys {
			vals[k] = out.GetAttr(k)
		}
		vals["error"] = cty.NullVal(plan.ErrorType)
		out = cty.ObjectVal(vals)
	}
	v, err := convertValue(out, outType)
	if err != nil {
		return cty.NilVal, connector.Errorf(connector.Other, "action %s.%s returned %s, not its declared output: %v",
			c.Connector.Name, c.Action.Name, out.Type().FriendlyName(), err)
	}
	return v, nil
}

// errCardTimeout is the cause of an attempt that ran out of time.
var errCardTimeout = errors.New("card timed out")
