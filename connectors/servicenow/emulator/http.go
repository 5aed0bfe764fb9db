package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/cardflow/cardflow/connectors/servicenow/internal/flatjson"
)

// route is a parsed Table API path.
type route struct {
	prefix  string // "/api/now/table", "/api/now/v1/table" or "/api/now/v2/table"
	version string // "", "v1" or "v2"
	table   string
	sysID   string // "" for the collection
}

func parseRoute(path string) (route, bool) {
	rest, ok := strings.CutPrefix(path, "/api/now/")
	if !ok {
		return route{}, false
	}
	var r route
	for _, v := range []string{"v1/", "v2/"} {
		if after, ok := strings.CutPrefix(rest, v); ok {
			r.version, rest = strings.TrimSuffix(v, "/"), after
		}
	}
	rest, ok = strings.CutPrefix(rest, "table/")
	if !ok {
		return route{}, false
	}
	r.prefix = strings.TrimSuffix(path[:len(path)-len(rest)], "/")
	parts := strings.Split(strings.TrimSuffix(rest, "/"), "/")
	if len(parts) > 2 || parts[0] == "" {
		return route{}, false
	}
	r.table = parts[0]
	if len(parts) == 2 {
		r.sysID = parts[1]
	}
	return r, true
}

// ServeHTTP serves the Table API and /oauth_token.do.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	e.requests.Add(1)
	if m := r.Header.Get("X-http-method-override"); m != "" {
		r.Method = strings.ToUpper(m)
	}
	f := e.takeFault(r)
	if f != nil && f.Detach {
		// The transaction runs to its end whatever the client does.
		r = r.WithContext(context.WithoutCancel(r.Context()))
	}
	if f != nil && f.Latency > 0 {
		if !sleep(r.Context(), f.Latency) {
			return
		}
	}
	switch {
	case f != nil && f.Drop && f.Detach:
		e.serve(&lostAnswer{}, r, f)
		drop(w)
		return
	case f != nil && f.Drop:
		drop(w)
		return
	case f != nil && f.Status != 0:
		e.writeFault(w, r, f)
		return
	}
	e.serve(w, r, f)
}

// serve answers a request no fault stopped; f, if not nil, is a fault
// that only delays it or hides rows.
func (e *Emulator) serve(w http.ResponseWriter, r *http.Request, f *Fault) {
	if r.URL.Path == "/oauth_token.do" {
		e.serveToken(w, r)
		return
	}
	rt, ok := parseRoute(r.URL.Path)
	if !ok {
		writeError(w, http.StatusBadRequest, "Requested URI does not represent any resource", nil)
		return
	}
	user, ok := e.authenticate(r)
	if !ok {
		w.Header().Set("WWW-Authenticate", `BASIC realm="Service-now"`)
		detail := "Required to provide Auth information"
		writeError(w, http.StatusUnauthorized, "User Not Authenticated", &detail)
		return
	}
	if !e.checkRateLimit(w, user) {
		return
	}
	hideRows := 0
	if f != nil {
		hideRows = f.HideRows
	}
	e.serveTable(w, r, rt, user, hideRows)
}

func (e *Emulator) serveTable(w http.ResponseWriter, r *http.Request, rt route, user string, hideRows int) {
	switch {
	case rt.sysID == "" && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		e.serveList(w, r, rt, hideRows)
	case rt.sysID == "" && r.Method == http.MethodPost:
		e.serveInsert(w, r, rt, user)
	case rt.sysID != "" && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		e.serveGet(w, r, rt)
	case rt.sysID != "" && (r.Method == http.MethodPut || r.Method == http.MethodPatch):
		e.serveUpdate(w, r, rt, user)
	case rt.sysID != "" && r.Method == http.MethodDelete:
		e.serveDelete(w, rt)
	default:
		writeError(w, http.StatusMethodNotAllowed, "Method not Supported", nil)
	}
}

// The handlers below build their reply under e.mu and write it after
// unlocking, so a slow client never holds up the instance.

func (e *Emulator) serveInsert(w http.ResponseWriter, r *http.Request, rt route, user string) {
	fields, ok := readBody(w, r)
	if !ok {
		return
	}
	base := e.baseURL(r)
	params := r.URL.Query()
	e.mu.Lock()
	body, err := func() ([]byte, error) {
		t, err := e.tableLocked(rt.table, e.opts.CreateTables)
		if err != nil {
			return nil, err
		}
		rec, err := e.applyLocked(write{t: t, fields: fields, user: user, noSysFields: suppressAuto(params)})
		if err != nil {
			return nil, err
		}
		w.Header()["Location"] = []string{base + rt.prefix + "/" + rt.table + "/" + rec["sys_id"]} // canonical: Set's work done
		return e.recordBodyLocked(r, params, t, rec, base), nil
	}()
	e.mu.Unlock()
	writeReply(w, r, http.StatusCreated, body, err)
}

func (e *Emulator) serveGet(w http.ResponseWriter, r *http.Request, rt route) {
	base := e.baseURL(r)
	params := r.URL.Query()
	e.mu.Lock()
	body, err := func() ([]byte, error) {
		t, err := e.tableLocked(rt.table, false)
		if err != nil {
			return nil, err
		}
		rec, ok := t.rows[rt.sysID]
		if !ok {
			return nil, ErrNotFound
		}
		return e.recordBodyLocked(r, params, t, rec, base), nil
	}()
	e.mu.Unlock()
	writeReply(w, r, http.StatusOK, body, err)
}

func (e *Emulator) serveUpdate(w http.ResponseWriter, r *http.Request, rt route, user string) {
	fields, ok := readBody(w, r)
	if !ok {
		return
	}
	base := e.baseURL(r)
	params := r.URL.Query()
	e.mu.Lock()
	body, err := func() ([]byte, error) {
		t, err := e.tableLocked(rt.table, false)
		if err != nil {
			return nil, err
		}
		old, ok := t.rows[rt.sysID]
		if !ok {
			return nil, ErrNotFound
		}
		rec, err := e.applyLocked(write{t: t, old: old, fields: fields, user: user, noSysFields: suppressAuto(params)})
		if err != nil {
			return nil, err
		}
		return e.recordBodyLocked(r, params, t, rec, base), nil
	}()
	e.mu.Unlock()
	writeReply(w, r, http.StatusOK, body, err)
}

func (e *Emulator) serveDelete(w http.ResponseWriter, rt route) {
	if err := e.Delete(rt.table, rt.sysID); err != nil {
		writeErr(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// suppressAuto is sysparm_suppress_auto_sys_field=true: the write does not
// touch sys_updated_on, sys_updated_by or sys_mod_count, so pollers miss it.
func suppressAuto(params url.Values) bool {
	return strings.EqualFold(params.Get("sysparm_suppress_auto_sys_field"), "true")
}

// recordBodyLocked is {"result": record} as JSON, or nil when the client
// sent X-no-response-body: true.
func (e *Emulator) recordBodyLocked(r *http.Request, params url.Values, t *table, rec map[string]string, base string) []byte {
	if strings.EqualFold(r.Header.Get("X-no-response-body"), "true") {
		return nil
	}
	return e.recordBodyJSON(t, rec, viewFrom(params, base))
}

// writeReply writes err as the platform's error, or status with the JSON
// body (no body when it is nil).
func writeReply(w http.ResponseWriter, r *http.Request, status int, body []byte, err error) {
	switch {
	case err != nil:
		writeErr(w, err)
	case body == nil:
		w.WriteHeader(status)
	default:
		w.Header()["Content-Type"] = []string{contentTypeJSON} // canonical: Set's work done
		w.WriteHeader(status)
		if r.Method != http.MethodHead {
			_, _ = w.Write(body) // an error means the client went away
		}
		recycleBody(body)
	}
}

func viewFrom(q url.Values, base string) view {
	v := view{displayValue: strings.ToLower(q.Get("sysparm_display_value")), base: base}
	if v.displayValue != "true" && v.displayValue != "all" {
		v.displayValue = "false"
	}
	v.excludeLinks = strings.EqualFold(q.Get("sysparm_exclude_reference_link"), "true")
	if fs := q.Get("sysparm_fields"); fs != "" {
		v.fields = []string{}
		for f := range strings.SplitSeq(fs, ",") {
			if f = strings.TrimSpace(f); f != "" {
				v.fields = append(v.fields, f)
			}
		}
		// Sorted and unique, as they are written (JSON object keys).
		slices.Sort(v.fields)
		v.fields = slices.Compact(v.fields)
	}
	return v
}

func (e *Emulator) baseURL(r *http.Request) string {
	if e.opts.InstanceURL != "" {
		return strings.TrimSuffix(e.opts.InstanceURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// readBody decodes a write body. Values may be strings, numbers, booleans,
// null or {"value": ...}; an array writes only its first record, as the
// platform does.
func readBody(w http.ResponseWriter, r *http.Request) (map[string]string, bool) {
	data, err := io.ReadAll(io.LimitReader(r.Body, 10<<20))
	if err != nil {
		writeBadPayload(w)
		return nil, false
	}
	var raw json.RawMessage = data
	var arr []json.RawMessage
	// Only a body that starts as an array can be one: the usual object is
	// parsed once.
	if body := bytes.TrimLeft(data, " \t\r\n"); len(body) > 0 && body[0] == '[' && json.Unmarshal(data, &arr) == nil {
		if len(arr) == 0 {
			writeBadPayload(w)
			return nil, false
		}
		raw = arr[0]
	}
	if f, ok := flatjson.Object(raw); ok { // the usual body: strings only
		return f, true
	}
	f, err := decodeFields(raw)
	if err != nil || f == nil {
		writeBadPayload(w)
		return nil, false
	}
	return f, true
}

func writeBadPayload(w http.ResponseWriter) {
	detail := "The payload is not valid JSON."
	writeError(w, http.StatusBadRequest, "Exception while reading request", &detail)
}

// writeErr maps the Go API's errors to the platform's responses.
func writeErr(w http.ResponseWriter, err error) {
	var pe *PolicyError
	var te *InvalidTableError
	var ae *apiError
	switch {
	case errors.As(err, &ae):
		var detail *string
		if ae.detail != "" {
			detail = &ae.detail
		}
		writeError(w, ae.status, ae.message, detail)
	case errors.As(err, &pe):
		detail := pe.Error()
		writeError(w, http.StatusForbidden, "Operation Failed", &detail)
	case errors.As(err, &te):
		writeError(w, http.StatusBadRequest, te.Error(), nil)
	case errors.Is(err, ErrNotFound):
		detail := "Record doesn't exist or ACL restricts the record retrieval"
		writeError(w, http.StatusNotFound, "No Record found", &detail)
	default:
		detail := err.Error()
		writeError(w, http.StatusInternalServerError, "Internal Server Error", &detail)
	}
}

// writeError writes the failure envelope; a nil detail is JSON null.
func writeError(w http.ResponseWriter, status int, message string, detail *string) {
	body := map[string]any{
		"error":  map[string]any{"message": message, "detail": detail},
		"status": "failure",
	}
	writeJSON(w, nil, status, body)
}

// contentTypeJSON is the Table API's Content-Type.
const contentTypeJSON = "application/json;charset=UTF-8"

func writeJSON(w http.ResponseWriter, r *http.Request, status int, body any) {
	w.Header().Set("Content-Type", contentTypeJSON)
	w.WriteHeader(status)
	if r != nil && r.Method == http.MethodHead {
		return
	}
	_ = json.NewEncoder(w).Encode(body) // an error means the client went away
}
