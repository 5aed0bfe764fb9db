package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"
)

// delivery is one envelope for one hook, queued for the delivery goroutine.
type delivery struct {
	hook  hookJSON // snapshot with the auth value
	body  []byte
	times int // 2 after DuplicateNextDelivery
}

// envelope is what Okta POSTs to an event hook.
type envelope struct {
	EventType          string `json:"eventType"`
	EventTypeVersion   string `json:"eventTypeVersion"`
	CloudEventsVersion string `json:"cloudEventsVersion"`
	Source             string `json:"source"`
	EventID            string `json:"eventId"`
	EventTime          string `json:"eventTime"`
	ContentType        string `json:"contentType"`
	Data               struct {
		Events []*LogEvent `json:"events"`
	} `json:"data"`
}

// batch is the events of one hook waiting for its batching window to end.
type batch struct {
	hook   hookJSON // snapshot with the auth value, at the first event
	base   string
	events []*LogEvent
	due    time.Time
}

// enqueueLocked queues ev for every ACTIVE, VERIFIED hook subscribed to its
// type: at once in a delivery of its own, or with Options.DeliveryBatchWindow
// into the hook's batch. event_hook.* events are not eligible, as in Okta.
// The caller holds e.mu.
func (e *Emulator) enqueueLocked(ev *LogEvent, base string) {
	if e.ctx.Err() != nil || strings.HasPrefix(ev.EventType, "event_hook.") {
		return
	}
	for _, h := range e.hookOrder {
		d := h.def
		if d.Status != "ACTIVE" || d.VerificationStatus != "VERIFIED" || !slices.Contains(d.Events.Items, ev.EventType) {
			continue
		}
		if e.batchWindow <= 0 {
			e.queueDeliveryLocked(d, base, []*LogEvent{ev})
			continue
		}
		b := e.batches[d.ID]
		if b == nil {
			// The window opens with the hook's first event: events that
			// follow within it ride along, as Okta amalgamates events that
			// occur close together.
			b = &batch{hook: d, base: base, due: time.Now().Add(e.batchWindow)}
			e.batches[d.ID] = b
		}
		b.events = append(b.events, ev)
	}
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// queueDeliveryLocked encodes one envelope of events for a hook and queues
// it. The caller holds e.mu.
func (e *Emulator) queueDeliveryLocked(d hookJSON, base string, events []*LogEvent) {
	env := envelope{
		EventType: "com.okta.event_hook", EventTypeVersion: "1.0", CloudEventsVersion: "0.1",
		Source:  base + "/api/v1/eventHooks/" + d.ID,
		EventID: e.ids.uuid(), EventTime: e.now().UTC().Format(oktaLayout),
		ContentType: "application/json",
	}
	env.Data.Events = events
	body, err := json.Marshal(env)
	if err != nil {
		e.logger.Error("okta emulator: encode event hook envelope", "err", err)
		return
	}
	job := delivery{hook: d, body: body, times: 1}
	if e.dupNext {
		job.times, e.dupNext = 2, false
	}
	e.queue = append(e.queue, job)
}

// flushBatchesLocked queues the batches whose window ended by now, earliest
// first, and returns when the next one is due (zero if none waits). The
// caller holds e.mu.
func (e *Emulator) flushBatchesLocked(now time.Time) time.Time {
	var due []*batch
	var next time.Time
	for id, b := range e.batches {
		if !now.Before(b.due) {
			due = append(due, b)
			delete(e.batches, id)
		} else if next.IsZero() || b.due.Before(next) {
			next = b.due
		}
	}
	slices.SortFunc(due, func(a, b *batch) int { return a.due.Compare(b.due) })
	for _, b := range due {
		e.queueDeliveryLocked(b.hook, b.base, b.events)
	}
	return next
}

// deliverLoop sends queued deliveries one at a time, in order, and the
// batches as their windows end, until Close.
func (e *Emulator) deliverLoop() {
	defer e.wg.Done()
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for {
		select {
		case <-e.ctx.Done():
			return
		case <-e.wake:
		case <-timer.C:
		}
		e.mu.Lock()
		next := e.flushBatchesLocked(time.Now())
		e.mu.Unlock()
		if !next.IsZero() {
			timer.Reset(time.Until(next))
		}
		for e.ctx.Err() == nil {
			e.mu.Lock()
			if len(e.queue) == 0 {
				e.mu.Unlock()
				break
			}
			d := e.queue[0]
			e.queue = e.queue[1:]
			e.mu.Unlock()
			for range d.times {
				e.deliver(d)
			}
		}
	}
}

// deliver POSTs one envelope: one retry on 5xx, timeout or network error,
// none on 4xx. A failed delivery is logged as event_hook.delivery.
func (e *Emulator) deliver(d delivery) {
	var status int
	var err error
	for attempt := 0; attempt < 2; attempt++ {
		status, err = e.post(d)
		if e.ctx.Err() != nil {
			return
		}
		if err == nil && status < 300 {
			return
		}
		if err == nil && status < 500 {
			break
		}
	}
	e.logger.Warn("okta emulator: event hook delivery failed", "hook", d.hook.ID, "status", status, "err", err)
	c := e.directCall("/api/v1/eventHooks/" + d.hook.ID)
	e.mu.Lock()
	if h, ok := e.hooks[d.hook.ID]; ok {
		e.emitLocked(c, "event_hook.delivery", h.target())
	}
	e.mu.Unlock()
}

func (e *Emulator) post(d delivery) (int, error) {
	ctx, cancel := context.WithTimeout(e.ctx, hookTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.hook.Channel.Config.URI, bytes.NewReader(d.body))
	if err != nil {
		return 0, err
	}
	setHookHeaders(req.Header, d.hook)
	req.Header.Set("Content-Type", "application/json")
	resp, err := e.hookClient.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	resp.Body.Close()
	return resp.StatusCode, nil
}
