package core

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"
)

func replyConfig(reply, timeout string) cty.Value {
	return cty.ObjectVal(map[string]cty.Value{
		"token": cty.StringVal("t"), "reply": cty.StringVal(reply), "reply_timeout": cty.StringVal(timeout),
	})
}

func TestEndpointReplyModes(t *testing.T) {
	trig, _ := HTTP().Trigger("endpoint")
	if r := trig.Reply(replyConfig("receipt", "10s")); r != nil {
		t.Errorf("receipt: %+v, want no reply", r)
	}
	if r := trig.Reply(endpointConfig("t")); r != nil {
		t.Errorf("no reply argument: %+v, want the receipt", r)
	}
	for _, mode := range []string{"result", "raw"} {
		r := trig.Reply(replyConfig(mode, "2500ms"))
		if r == nil || r.Timeout != 2500*time.Millisecond || r.Render == nil {
			t.Errorf("%s: %+v, want a reply waiting 2.5s", mode, r)
		}
	}
	// A computed timeout out of bounds falls back to the default.
	if r := trig.Reply(replyConfig("result", "1h")); r == nil || r.Timeout != defaultReplyTimeout {
		t.Errorf("reply_timeout 1h: %+v", r)
	}
}

func TestReplyChecks(t *testing.T) {
	for _, ok := range []string{"receipt", "result", "raw"} {
		if err := checkReply(cty.StringVal(ok)); err != nil {
			t.Errorf("reply %q: %v", ok, err)
		}
	}
	if err := checkReply(cty.StringVal("sync")); err == nil || !strings.Contains(err.Error(), `"receipt", "result" or "raw"`) {
		t.Errorf("reply sync: %v", err)
	}
	for s, valid := range map[string]bool{"1ms": true, "2500ms": true, "25s": true, "26s": false, "0s": false, "-1s": false, "soon": false} {
		if err := checkReplyTimeout(cty.StringVal(s)); (err == nil) != valid {
			t.Errorf("reply_timeout %q: %v", s, err)
		}
	}
}

func TestRenderReply(t *testing.T) {
	tests := []struct {
		name   string
		render func([]byte) (connector.Response, error)
		result string
		want   connector.Response
		err    string
	}{
		{name: "result", render: renderResult, result: `{"commands":[]}`,
			want: connector.Response{Status: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(`{"commands":[]}`)}},
		{name: "no result", render: renderResult, want: connector.Response{Status: 204}},
		{name: "null result", render: renderResult, result: "null", want: connector.Response{Status: 204}},
		{name: "raw text", render: renderRaw, result: `{"status":403,"headers":{"X-Reason":"blocked","X-Count":3,"X-Gone":null},"body":"no"}`,
			want: connector.Response{Status: 403, Header: http.Header{"X-Reason": {"blocked"}, "X-Count": {"3"}, "Content-Type": {"text/plain; charset=utf-8"}}, Body: []byte("no")}},
		{name: "raw JSON body, own content type", render: renderRaw, result: `{"headers":{"content-type":"application/scim+json"},"body":{"a":[1]}}`,
			want: connector.Response{Status: 200, Header: http.Header{"Content-Type": {"application/scim+json"}}, Body: []byte(`{"a":[1]}`)}},
		{name: "raw without body", render: renderRaw, result: `{"status":204}`, want: connector.Response{Status: 204, Header: http.Header{}}},
		{name: "raw drops framing headers", render: renderRaw, result: `{"headers":{"Content-Length":"99","Transfer-Encoding":"chunked","X-Ok":"1"}}`,
			want: connector.Response{Status: 200, Header: http.Header{"X-Ok": {"1"}}}},
		{name: "raw status out of range", render: renderRaw, result: `{"status":99}`, err: "status 99 is not an HTTP status"},
		{name: "raw fractional status", render: renderRaw, result: `{"status":200.5}`, err: "status 200.5"},
		{name: "raw misspelt key", render: renderRaw, result: `{"statusCode":200}`, err: `unknown field "statusCode"`},
		{name: "raw header injection", render: renderRaw, result: `{"headers":{"X-A":"a\r\nSet-Cookie: x=1"}}`, err: "line break"},
		{name: "raw bad header name", render: renderRaw, result: `{"headers":{"X A":"a"}}`, err: "not a header name"},
		{name: "raw header object", render: renderRaw, result: `{"headers":{"X-A":{"b":1}}}`, err: "not a string"},
		{name: "raw not an object", render: renderRaw, result: `"text"`, err: "an object with status, headers and body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var result []byte
			if tt.result != "" {
				result = []byte(tt.result)
			}
			got, err := tt.render(result)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want one with %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
