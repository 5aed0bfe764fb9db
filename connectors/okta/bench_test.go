package okta_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/connectors/okta"
	"github.com/cardflow/cardflow/connectors/okta/emulator"
	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/internal/benchcpu"
)

// BenchmarkReadUser measures what read_user costs the engine, the
// request_approval flow's first card: GET /api/v1/users/{id} through the
// SDK and the card's output value. The org replays the answer the
// emulator gave, so that the connector's work is most of what is measured.
func BenchmarkReadUser(b *testing.B) {
	emu := emulator.New(emulator.Options{Token: testToken})
	defer emu.Close()
	const id = "00ubench000000000001"
	if err := emu.Seed(emulator.Seed{Users: []emulator.SeedUser{{ID: id, Status: "STAGED", Profile: map[string]any{
		"firstName": "Bench", "lastName": "User1", "login": "bench.user1@acme.example", "email": "bench.user1@acme.example",
		"department": "Engineering", "manager": "Ola Nordmann"}}}}); err != nil {
		b.Fatal(err)
	}
	req := httptest.NewRequest("GET", "/api/v1/users/"+id, nil)
	req.Header.Set("Authorization", "SSWS "+testToken)
	answer := httptest.NewRecorder()
	emu.ServeHTTP(answer, req)
	if answer.Code != http.StatusOK {
		b.Fatal(answer.Code, answer.Body)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range answer.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(answer.Code)
		_, _ = w.Write(bytes.Clone(answer.Body.Bytes()))
	}))
	defer srv.Close()
	c, err := okta.Open(connectionValue(map[string]cty.Value{"org_url": cty.StringVal(srv.URL),
		"token": cty.StringVal(testToken), "rate_limit": cty.NumberIntVal(1e9)}))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	a, _ := okta.New().Action("read_user")
	call := &connector.Call{Client: c, Input: argsOf(b, a.Input, map[string]cty.Value{"user": cty.StringVal(id)})}
	ctx := context.Background()
	defer benchcpu.PerOp(b)()
	for b.Loop() {
		out, err := a.Do(ctx, call)
		if err != nil {
			b.Fatal(err)
		}
		if out.GetAttr("login").AsString() != "bench.user1@acme.example" {
			b.Fatal(out.GoString())
		}
	}
}
