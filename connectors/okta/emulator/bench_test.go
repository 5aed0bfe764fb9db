package emulator_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/cardflow/cardflow/connectors/okta/emulator"
	"github.com/cardflow/cardflow/internal/benchcpu"
)

// benchOrg is an emulator with n users shaped like the load benchmark's,
// 00ubench000000000000 on, closed when b ends.
func benchOrg(b *testing.B, n int) *emulator.Emulator {
	b.Helper()
	e := emulator.New(emulator.Options{Token: "bench-token"})
	b.Cleanup(e.Close)
	seed := emulator.Seed{Users: make([]emulator.SeedUser, n)}
	for i := range seed.Users {
		seed.Users[i] = emulator.SeedUser{ID: fmt.Sprintf("00ubench%012d", i), Status: "STAGED", Profile: map[string]any{
			"firstName": "Bench", "lastName": fmt.Sprintf("User%d", i), "login": fmt.Sprintf("bench.user%d@acme.example", i),
			"email": fmt.Sprintf("bench.user%d@acme.example", i), "department": "Engineering", "manager": "Ola Nordmann"}}
	}
	if err := e.Seed(seed); err != nil {
		b.Fatal(err)
	}
	return e
}

// BenchmarkGetUser measures what okta.read_user costs the org: GET
// /api/v1/users/{id} with an SSWS token through ServeHTTP, among 10,000
// seeded users shaped like the load benchmark's.
func BenchmarkGetUser(b *testing.B) {
	const n = 10000
	e := benchOrg(b, n)
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

// discardWriter is a ResponseWriter that keeps only the status, as the
// server's own costs are not the emulator's: with httptest's recorder and
// requests (a 4 KiB reader each), the harness was a third of what
// BenchmarkGetUser measured.
type discardWriter struct {
	h    http.Header
	code int
}

func (w *discardWriter) Header() http.Header { return w.h }
func (w *discardWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
}

func (w *discardWriter) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return len(b), nil
}

// BenchmarkEngineReadUser measures the emulator's side of okta.read_user
// alone: GET /api/v1/users/{id} with the headers okta-sdk-golang sends,
// among 10,000 seeded users, the request built as the server would hand
// it over and the answer discarded.
func BenchmarkEngineReadUser(b *testing.B) {
	const n = 10000
	e := benchOrg(b, n)
	i := 0
	defer benchcpu.PerOp(b)()
	for b.Loop() {
		req, _ := http.NewRequest("GET", fmt.Sprintf("http://127.0.0.1:9001/api/v1/users/00ubench%012d", i%n), nil)
		req.RemoteAddr = "127.0.0.1:40000"
		req.Header.Set("Authorization", "SSWS bench-token")
		req.Header.Set("Accept", "application/json")
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("User-Agent", "okta-sdk-golang/2.20.0 golang/go1.26 linux/amd64")
		w := &discardWriter{h: http.Header{}}
		e.ServeHTTP(w, req)
		if w.code != http.StatusOK {
			b.Fatal(w.code)
		}
		i++
	}
}
