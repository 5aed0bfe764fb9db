package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
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

// enqueueLocked queues ev for every ACTIVE, VERIFIED hook subscribed to its
// type. event_hook.* events are not eligible, as in Okta. The caller holds
// e.mu.
func (e *Emulator) enqueueLocked(ev *LogEvent, base string) {
	if e.ctx.Err() != nil || strings.HasPrefix(ev.EventType, "event_hook.") {
		return
	}
	for _, h := range e.hookOrder {
		d := h.def
		if d.Status != "ACTIVE" || d.VerificationStatus != "VERIFIED" || !slices.Contains(d.Events.Items, ev.EventType) {
			continue
		}
		env := envelope{
			EventType: "com.okta.event_hook", EventTypeVersion: "1.0", CloudEventsVersion: "0.1",
			Source:  base + "/api/v1/eventHooks/" + d.ID,
			EventID: e.ids.uuid(), EventTime: e.now().UTC().Format(oktaLayout),
			ContentType: "application/json",
		}
		env.Data.Events = []*LogEvent{ev}
		body, err := json.Marshal(env)
		if err != nil {
			e.logger.Error("okta emulator: encode event hook envelope", "err", err)
			continue
		}
		job := delivery{hook: d, body: body, times: 1}
		if e.dupNext {
			job.times, e.dupNext = 2, false
		}
		e.queue = append(e.queue, job)
	}
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// deliverLoop sends queued deliveries one at a time, in order, until Close.
func (e *Emulator) deliverLoop() {
	defer e.wg.Done()
	for {
		select {
		case <-e.ctx.Done():
			return
		case <-e.wake:
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
