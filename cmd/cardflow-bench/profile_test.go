package main

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/pprof/profile"
)

// TestSummarizeProfile: each sample counts for the first group a function
// of its stack matches, whatever the depth, and the shares add up to 100.
func TestSummarizeProfile(t *testing.T) {
	fns := map[string]*profile.Function{}
	loc := func(name string) *profile.Location {
		f, ok := fns[name]
		if !ok {
			f = &profile.Function{ID: uint64(len(fns) + 1), Name: name}
			fns[name] = f
		}
		return &profile.Location{Line: []profile.Line{{Function: f}}}
	}
	stack := func(v int64, leafFirst ...string) *profile.Sample {
		s := &profile.Sample{Value: []int64{v, v * 10}}
		for _, n := range leafFirst {
			s.Location = append(s.Location, loc(n))
		}
		return s
	}
	p := &profile.Profile{
		SampleType: []*profile.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}},
		Sample: []*profile.Sample{
			// The writer under the runtime is the store's.
			stack(3, "syscall.Syscall6", "modernc.org/sqlite/lib._walFrames", "github.com/cardflow/cardflow/engine/store/sqlite.(*writer).commit", "github.com/cardflow/cardflow/engine/runtime.(*run).attempts"),
			// An outbound request made by a connector is outbound HTTP.
			stack(2, "net/http.(*persistConn).readLoop", "github.com/cardflow/cardflow/connectors/servicenow.(*Client).send", "github.com/cardflow/cardflow/engine/runtime.(*run).attempts"),
			stack(1, "github.com/cardflow/cardflow/connectors/servicenow.decode", "github.com/cardflow/cardflow/engine/runtime.(*run).attempts"),
			stack(1, "runtime.gcDrain", "runtime.gcBgMarkWorker"),
			stack(2, "github.com/hashicorp/hcl/v2/hclsyntax.(*TemplateExpr).Value", "github.com/cardflow/cardflow/engine/runtime.(*run).inputs"),
			stack(1, "runtime.findRunnable", "runtime.schedule"),
		},
	}
	for _, f := range fns {
		p.Function = append(p.Function, f)
	}
	for _, s := range p.Sample {
		for _, l := range s.Location {
			l.ID = uint64(len(p.Location) + 1)
			p.Location = append(p.Location, l)
		}
	}
	path := filepath.Join(t.TempDir(), "cpu.prof")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Write(f); err != nil {
		t.Fatal(err)
	}
	f.Close()

	shares, err := summarizeProfile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{
		"garbage collection":                             10,
		"SQLite store":                                   30,
		"outbound HTTP (net/http, Okta SDK)":             20,
		"connectors: decoding answers, building outputs": 10,
		"runtime: evaluating inputs, journal encoding":   20,
		"other": 10,
	}
	sum := 0.0
	for _, s := range shares {
		sum += s.Percent
		if math.Abs(s.Percent-want[s.Group]) > 1e-9 {
			t.Errorf("%s: %.1f %%, want %.1f %%", s.Group, s.Percent, want[s.Group])
		}
	}
	if math.Abs(sum-100) > 1e-9 {
		t.Errorf("shares add up to %.1f %%", sum)
	}
}
