package core

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"
)

// seen is what the test server received.
type seen struct {
	Method, Path, Query, Body, ContentType, Custom, Auth string
}

func TestHTTPRequest(t *testing.T) {
	var got seen
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = seen{r.Method, r.URL.Path, r.URL.RawQuery, string(b), r.Header.Get("Content-Type"), r.Header.Get("X-Custom"), r.Header.Get("Authorization")}
		switch r.URL.Path {
		case "/json":
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			_, _ = io.WriteString(w, `{"id":"00u1","n":12345678901234567890,"ok":true}`)
		case "/text":
			w.Header().Set("Content-Type", "text/plain")
			_, _ = io.WriteString(w, "hello")
		case "/badjson":
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, "{not json")
		case "/empty":
			w.WriteHeader(http.StatusNoContent)
		}
	}))
	defer srv.Close()

	tests := []struct {
		name     string
		args     map[string]cty.Value
		wantSeen seen
		status   int64
		body     cty.Value
	}{
		{
			"GET with query, JSON response parsed",
			map[string]cty.Value{"url": cty.StringVal(srv.URL + "/json?a=1"), "query": cty.MapVal(map[string]cty.Value{"b": cty.StringVal("x y")})},
			seen{Method: "GET", Path: "/json", Query: "a=1&b=x+y"},
			200,
			cty.ObjectVal(map[string]cty.Value{"id": cty.StringVal("00u1"), "n": cty.MustParseNumberVal("12345678901234567890"), "ok": cty.True}),
		},
		{
			"POST with JSON body and headers",
			map[string]cty.Value{
				"method": cty.StringVal("post"), "url": cty.StringVal(srv.URL + "/text"),
				"headers":        cty.MapVal(map[string]cty.Value{"X-Custom": cty.StringVal("c"), "Authorization": cty.StringVal("overridden")}),
				"secret_headers": cty.MapVal(map[string]cty.Value{"Authorization": cty.StringVal("Bearer t0ken").Mark("sensitive")}),
				"body":           cty.ObjectVal(map[string]cty.Value{"n": cty.MustParseNumberVal("0.1"), "l": cty.TupleVal([]cty.Value{cty.StringVal("a")})}),
			},
			seen{Method: "POST", Path: "/text", Body: `{"l":["a"],"n":0.1}`, ContentType: "application/json", Custom: "c", Auth: "Bearer t0ken"},
			200,
			cty.StringVal("hello"),
		},
		{
			"a string body is sent as it is, with the Content-Type of headers",
			map[string]cty.Value{
				"method": cty.StringVal("POST"), "url": cty.StringVal(srv.URL + "/text"),
				"headers": cty.MapVal(map[string]cty.Value{"Content-Type": cty.StringVal("application/x-www-form-urlencoded")}),
				"body":    cty.StringVal("To=+15550001&Body=hello \"there\"&From=+15550002"),
			},
			seen{Method: "POST", Path: "/text", Body: "To=+15550001&Body=hello \"there\"&From=+15550002", ContentType: "application/x-www-form-urlencoded"},
			200,
			cty.StringVal("hello"),
		},
		{
			"a JSON text body is sent as it is, as JSON",
			map[string]cty.Value{
				"method": cty.StringVal("PUT"), "url": cty.StringVal(srv.URL + "/text"),
				"body": cty.StringVal("{\n  \"name\": \"a&b\", \"n\": 1.50\n}"),
			},
			seen{Method: "PUT", Path: "/text", Body: "{\n  \"name\": \"a&b\", \"n\": 1.50\n}", ContentType: "application/json"},
			200,
			cty.StringVal("hello"),
		},
		{
			"any other text body is sent as it is, as plain text",
			map[string]cty.Value{
				"method": cty.StringVal("POST"), "url": cty.StringVal(srv.URL + "/text"),
				"body": cty.StringVal("{not json} & <b>"),
			},
			seen{Method: "POST", Path: "/text", Body: "{not json} & <b>", ContentType: "text/plain; charset=utf-8"},
			200,
			cty.StringVal("hello"),
		},
		{"JSON content type with a broken body stays text", map[string]cty.Value{"url": cty.StringVal(srv.URL + "/badjson")},
			seen{Method: "GET", Path: "/badjson"}, 200, cty.StringVal("{not json")},
		{"no content", map[string]cty.Value{"method": cty.StringVal("DELETE"), "url": cty.StringVal(srv.URL + "/empty")},
			seen{Method: "DELETE", Path: "/empty"}, 204, cty.StringVal("")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := call(t, HTTP(), "request", tt.args, nil)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.wantSeen, got); diff != "" {
				t.Errorf("request (-want +got):\n%s", diff)
			}
			wantValue(t, out.GetAttr("status"), cty.NumberIntVal(tt.status))
			wantValue(t, out.GetAttr("body"), tt.body)
			if ct := out.GetAttr("headers"); tt.status == 200 && (ct.IsNull() || !ct.Type().IsMapType() || !ct.HasIndex(cty.StringVal("content-type")).True()) {
				t.Errorf("headers lack content-type: %#v", ct)
			}
		})
	}
}

func TestHTTPRequestErrors(t *testing.T) {
	reset := time.Now().Add(90 * time.Second).Truncate(time.Second).UTC()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/slow":
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
			return
		case "/huge":
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `["`+strings.Repeat("x", MaxBody)+`"]`)
			return
		case "/date":
			w.Header().Set("Retry-After", reset.Format(http.TimeFormat))
			w.WriteHeader(429)
			return
		case "/okta429":
			w.Header().Set("X-Rate-Limit-Reset", strconv.FormatInt(reset.Unix(), 10))
			w.WriteHeader(429)
			_, _ = io.WriteString(w, `{"errorCode":"E0000047"}`)
			return
		case "/okta404":
			w.Header().Set("X-Rate-Limit-Reset", strconv.FormatInt(reset.Unix(), 10))
			w.WriteHeader(404)
			return
		}
		if retry := r.URL.Query().Get("retry"); retry != "" {
			w.Header().Set("Retry-After", retry)
		}
		code, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/"))
		if err != nil {
			code = 500
		}
		w.WriteHeader(code)
		_, _ = io.WriteString(w, strings.Repeat("x", 400))
	}))
	defer srv.Close()

	tests := []struct {
		name    string
		path    string
		kind    connector.Kind
		status  int
		retryIn time.Duration // 0: no RetryAt; -1: exactly reset
	}{
		{"429 with seconds", "/429?retry=30", connector.RateLimited, 429, 30 * time.Second},
		{"503 with seconds", "/503?retry=2", connector.Transient, 503, 2 * time.Second},
		{"500", "/500", connector.Transient, 500, 0},
		{"502", "/502", connector.Transient, 502, 0},
		{"400", "/400", connector.Invalid, 400, 0},
		{"401", "/401", connector.Permission, 401, 0},
		{"403", "/403", connector.Permission, 403, 0},
		{"404", "/404", connector.NotFound, 404, 0},
		{"409", "/409", connector.Conflict, 409, 0},
		{"429 with an HTTP date", "/date", connector.RateLimited, 429, -1},
		{"429 with X-Rate-Limit-Reset", "/okta429", connector.RateLimited, 429, -1},
		{"reset header on a 404 is no wait", "/okta404", connector.NotFound, 404, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := time.Now()
			_, err := call(t, HTTP(), "request", map[string]cty.Value{"url": cty.StringVal(srv.URL + tt.path)}, nil)
			var ce *connector.Error
			if !errors.As(err, &ce) {
				t.Fatalf("error %v is not a *connector.Error", err)
			}
			if ce.Kind != tt.kind || ce.Status != tt.status || ce.Op != "http.request" {
				t.Errorf("kind %v status %d op %q; want %v %d http.request", ce.Kind, ce.Status, ce.Op, tt.kind, tt.status)
			}
			if len(ce.Message) > 300 {
				t.Errorf("message of %d bytes, want at most 300", len(ce.Message))
			}
			at := connector.RetryAt(err)
			switch {
			case tt.retryIn == 0 && !at.IsZero():
				t.Errorf("RetryAt = %v, want none", at)
			case tt.retryIn == -1 && !at.Equal(reset):
				t.Errorf("RetryAt = %v, want %v", at, reset)
			case tt.retryIn > 0 && (at.Before(before.Add(tt.retryIn)) || at.After(time.Now().Add(tt.retryIn))):
				t.Errorf("RetryAt = %v, want about now+%v", at, tt.retryIn)
			}
		})
	}

	t.Run("body over 1 MiB", func(t *testing.T) {
		_, err := call(t, HTTP(), "request", map[string]cty.Value{"url": cty.StringVal(srv.URL + "/huge")}, nil)
		wantKind(t, err, connector.Invalid, "larger than 1 MiB")
	})
	t.Run("timeout is transient", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		a, _ := HTTP().Action("request")
		_, err := a.Do(ctx, &connector.Call{Input: requestInput(t, a, srv.URL+"/slow")})
		wantKind(t, err, connector.Transient, "http.request")
	})
	t.Run("cancelled is not transient", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		a, _ := HTTP().Action("request")
		_, err := a.Do(ctx, &connector.Call{Input: requestInput(t, a, srv.URL+"/slow")})
		wantKind(t, err, connector.Other, "canceled")
	})
	t.Run("connection refused is transient", func(t *testing.T) {
		dead := httptest.NewServer(http.NotFoundHandler())
		url := dead.URL
		dead.Close()
		_, err := call(t, HTTP(), "request", map[string]cty.Value{"url": cty.StringVal(url)}, nil)
		wantKind(t, err, connector.Transient, "refused")
	})
	for name, url := range map[string]string{"no scheme": "example.com/x", "ftp": "ftp://example.com/", "garbage": "http://[::1"} {
		t.Run("invalid url/"+name, func(t *testing.T) {
			_, err := call(t, HTTP(), "request", map[string]cty.Value{"url": cty.StringVal(url)}, nil)
			wantKind(t, err, connector.Invalid, "not an http(s) URL")
		})
	}
	t.Run("invalid method", func(t *testing.T) {
		_, err := call(t, HTTP(), "request", map[string]cty.Value{"url": cty.StringVal(srv.URL), "method": cty.StringVal("GE T")}, nil)
		wantKind(t, err, connector.Invalid, "method")
	})
}

// requestInput is the input of a GET of url by a, http.request.
func requestInput(t *testing.T, a *connector.Action, url string) connector.Args {
	t.Helper()
	in, err := connector.ArgsOf(a.Input, cty.ObjectVal(map[string]cty.Value{"method": cty.StringVal("GET"), "url": cty.StringVal(url)}))
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func TestRetryAfterParsing(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		h      http.Header
		status int
		want   time.Time
	}{
		{"none", http.Header{}, 429, time.Time{}},
		{"seconds", http.Header{"Retry-After": {"120"}}, 503, now.Add(2 * time.Minute)},
		{"negative seconds", http.Header{"Retry-After": {"-5"}}, 429, now},
		{"date", http.Header{"Retry-After": {"Sat, 28 Nov 2026 12:05:00 GMT"}}, 429, now.Add(5 * time.Minute)},
		{"garbage", http.Header{"Retry-After": {"soon"}}, 429, time.Time{}},
		{"seconds with junk", http.Header{"Retry-After": {"12abc"}}, 429, time.Time{}},
		{"okta reset", http.Header{"X-Rate-Limit-Reset": {"1795867500"}}, 429, time.Unix(1795867500, 0).UTC()},
		{"github reset", http.Header{"X-Ratelimit-Reset": {"1795867500"}}, 429, time.Unix(1795867500, 0).UTC()},
		{"reset on a 200 is nothing", http.Header{"X-Rate-Limit-Reset": {"1795867500"}}, 200, time.Time{}},
		{"Retry-After wins", http.Header{"Retry-After": {"1"}, "X-Rate-Limit-Reset": {"1795867500"}}, 429, now.Add(time.Second)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := retryAfter(tt.h, tt.status, now); !got.Equal(tt.want) {
				t.Errorf("retryAfter = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestHTTPResponseHeaders checks that response headers arrive lower-cased
// with repeated values joined, and a JSON array body becomes a tuple.
func TestHTTPResponseHeaders(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("X-Multi", "a")
		w.Header().Add("X-Multi", "b")
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode([]int{1, 2})
	}))
	defer srv.Close()
	out, err := call(t, HTTP(), "request", map[string]cty.Value{"url": cty.StringVal(srv.URL)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantValue(t, out.GetAttr("headers").Index(cty.StringVal("x-multi")), cty.StringVal("a, b"))
	wantValue(t, out.GetAttr("body"), cty.TupleVal([]cty.Value{cty.NumberIntVal(1), cty.NumberIntVal(2)}))
}
