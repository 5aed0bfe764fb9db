package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// apiError is an Okta error response: the HTTP status plus the JSON body
// {errorCode, errorSummary, errorLink, errorId, errorCauses}.
type apiError struct {
	Status  int
	Code    string
	Summary string
	Causes  []string
}

// Error returns the summary so apiError can travel as a Go error from the
// direct helpers.
func (e *apiError) Error() string {
	if len(e.Causes) > 0 {
		return fmt.Sprintf("okta emulator: %s %s (%s)", e.Code, e.Summary, e.Causes[0])
	}
	return fmt.Sprintf("okta emulator: %s %s", e.Code, e.Summary)
}

type errorCause struct {
	ErrorSummary string `json:"errorSummary"`
}

type errorBody struct {
	ErrorCode    string       `json:"errorCode"`
	ErrorSummary string       `json:"errorSummary"`
	ErrorLink    string       `json:"errorLink"`
	ErrorID      string       `json:"errorId"`
	ErrorCauses  []errorCause `json:"errorCauses"`
}

func (e *Emulator) writeError(w http.ResponseWriter, ae *apiError) {
	body := errorBody{
		ErrorCode:    ae.Code,
		ErrorSummary: ae.Summary,
		ErrorLink:    ae.Code,
		ErrorID:      "oae" + e.ids.random(19),
		ErrorCauses:  []errorCause{},
	}
	for _, c := range ae.Causes {
		body.ErrorCauses = append(body.ErrorCauses, errorCause{ErrorSummary: c})
	}
	writeJSON(w, ae.Status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	if body, ok := fastJSON(v); ok {
		w.WriteHeader(status)
		_, _ = w.Write(body) // an error means the client went away
		recycleBody(body)
		return
	}
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		// The client went away; there is nobody left to tell.
		return
	}
}

func notFound(id, kind string) *apiError {
	return &apiError{Status: http.StatusNotFound, Code: "E0000007",
		Summary: fmt.Sprintf("Not found: Resource not found: %s (%s)", id, kind)}
}

func validation(field, cause string) *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: "E0000001",
		Summary: "Api validation failed: " + field, Causes: []string{field + ": " + cause}}
}

func alreadyExists(field string) *apiError {
	return validation(field, "An object with this field already exists in the current organization")
}

func badRequestBody(err error) *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: "E0000003",
		Summary: "The request body was not well-formed.", Causes: []string{err.Error()}}
}

func invalidSearch(err error) *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: "E0000031",
		Summary: "Invalid search criteria.", Causes: []string{err.Error()}}
}

func invalidSCIM(err error) *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: "E0000053",
		Summary: "Invalid SCIM filter.", Causes: []string{err.Error()}}
}

func forbiddenStatus() *apiError {
	return &apiError{Status: http.StatusForbidden, Code: "E0000038",
		Summary: "This operation is not allowed in the user's current status."}
}

func noPermission(cause string) *apiError {
	return &apiError{Status: http.StatusForbidden, Code: "E0000006",
		Summary: "You do not have permission to perform the requested action", Causes: []string{cause}}
}

var (
	errInvalidToken = &apiError{Status: http.StatusUnauthorized, Code: "E0000011", Summary: "Invalid token provided"}
	errNoMethod     = &apiError{Status: http.StatusMethodNotAllowed, Code: "E0000022",
		Summary: "The endpoint does not support the provided HTTP method"}
	errNoResource = &apiError{Status: http.StatusNotFound, Code: "E0000007",
		Summary: "Not found: Resource not found: endpoint (Resource)"}
	errAlreadyActive = &apiError{Status: http.StatusForbidden, Code: "E0000016",
		Summary: "Activation failed because the user is already active"}
	errRateLimited = &apiError{Status: http.StatusTooManyRequests, Code: "E0000047",
		Summary: "API call exceeded rate limit due to too many requests."}
	errInternal = &apiError{Status: http.StatusInternalServerError, Code: "E0000009", Summary: "Internal Server Error"}
)
