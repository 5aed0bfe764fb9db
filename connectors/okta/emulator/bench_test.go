package emulator_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/cardflow/cardflow/connectors/okta/emulator"
	"github.com/cardflow/cardflow/internal/benchcpu"
)

// BenchmarkGetUser measures what okta.read_user costs the org: GET
// /api/v1/users/{id} with an SSWS token through ServeHTTP, among 10,000
// seeded users shaped like the load benchmark's.
func BenchmarkGetUser(b *testing.B) {
	e := emulator.New(emulator.Options{Token: "bench-token"})
	defer e.Close()
	const n = 10000
	seed := emulator.Seed{Users: make([]emulator.SeedUser, n)}
	for i := range seed.Users {
		seed.Users[i] = emulator.SeedUser{ID: fmt.Sprintf("00ubench%012d", i), Status: "STAGED", Profile: map[string]any{
			"firstName": "Bench", "lastName": fmt.Sprintf("User%d", i), "login": fmt.Sprintf("bench.user%d@acme.example", i),
			"email": fmt.Sprintf("bench.user%d@acme.example", i), "department": "Engineering", "manager": "Ola Nordmann"}}
	}
	if err := e.Seed(seed); err != nil {
		b.Fatal(err)
	}
	i := 0
	defer benchcpu.PerOp(b)()
	for b.Loop() {
		req := httptest.NewRequest("GET", fmt.Sprintf("/api/v1/users/00ubench%012d", i%n), nil)
		req.Header.Set("Authorization", "SSWS bench-token")
		req.Header.Set("Accept", "application/json")
		w := httptest.NewRecorder()
		e.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatal(w.Code, w.Body.String())
		}
		i++
	}
}
