package emulator_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
	"time"

	"github.com/cardflow/cardflow/connectors/okta/emulator"
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
	defer cpuPerOp(b)()
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

// cpuPerOp reports the process's CPU time (user and system, GC included)
// per iteration as cpu-ns/op, which a busy shared machine distorts less
// than wall time. Call it just before the loop and defer the result.
func cpuPerOp(b *testing.B) func() {
	start := cpuTime()
	return func() {
		b.ReportMetric(float64((cpuTime()-start).Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
