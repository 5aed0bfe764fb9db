package plan_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cardflow/cardflow/connectors/core"
	"github.com/cardflow/cardflow/connectors/okta"
	"github.com/cardflow/cardflow/connectors/servicenow"
	"github.com/cardflow/cardflow/engine/config"
	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/lang"
	"github.com/cardflow/cardflow/engine/plan"
)

func TestParseDuration(t *testing.T) {
	cases := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"30s", 30 * time.Second, true},
		{"1h30m", 90 * time.Minute, true},
		{"7d", 7 * 24 * time.Hour, true},
		{"1.5d", 0, false},
		{"d", 0, false},
		{"7 days", 0, false},
		{"", 0, false},
	}
	for _, tc := range cases {
		got, err := plan.ParseDuration(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func registry() *connector.Registry {
	return connector.NewRegistry(append(core.Connectors(), okta.New(), servicenow.New())...)
}

// onboarding returns the sources of flows/onboarding, without its tests.
func onboarding(t *testing.T) map[string][]byte {
	t.Helper()
	files, err := filepath.Glob("../../flows/onboarding/*.hcl")
	if err != nil || len(files) == 0 {
		t.Fatalf("no flow files: %v", err)
	}
	srcs := map[string][]byte{}
	for _, f := range files {
		if strings.HasSuffix(f, ".test.hcl") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		srcs[filepath.Base(f)] = b
	}
	return srcs
}

func compile(t *testing.T, srcs map[string][]byte) *plan.Generation {
	t.Helper()
	reg := registry()
	cfg, diags := config.LoadSources(srcs, reg)
	if diags.HasErrors() {
		t.Fatalf("config: %s", diags.Error())
	}
	gen, diags := plan.Compile(cfg, plan.Options{Registry: reg, Mode: lang.Check})
	if diags.HasErrors() {
		t.Fatalf("compile: %s", diags.Error())
	}
	return gen
}

// TestCompileOnboarding checks what a generation holds for the reference
// flows: every flow with its trigger and cards in file order, a distinct
// definition hash each, and a snapshot holding every source.
func TestCompileOnboarding(t *testing.T) {
	srcs := onboarding(t)
	gen := compile(t, srcs)
	want := []string{"on_rejection", "provision_on_approval", "request_approval"}
	hashes := map[string]string{}
	for _, name := range want {
		f := gen.Flows[name]
		if f == nil {
			t.Fatalf("flow %s missing", name)
		}
		if f.Trigger == nil || f.Trigger.Spec == nil || len(f.Cards) == 0 {
			t.Errorf("flow %s has trigger %v and %d cards", name, f.Trigger, len(f.Cards))
		}
		for i, c := range f.Cards {
			if c.Index != i || c.Name != f.Decl.Cards[i].Name || f.Card(c.Name) != c {
				t.Errorf("flow %s card %d is %s (index %d), declared %s", name, i, c.Name, c.Index, f.Decl.Cards[i].Name)
			}
		}
		if len(f.Hash) < 16 || hashes[f.Hash] != "" {
			t.Errorf("flow %s hash %q is short or shared with %s", name, f.Hash, hashes[f.Hash])
		}
		hashes[f.Hash] = name
	}
	got, err := plan.ReadSnapshot(gen.Snapshot)
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range srcs {
		if !bytes.Equal(got.Sources[name], b) {
			t.Errorf("the snapshot's %s differs from the source", name)
		}
	}
}

// TestHashFollowsTheFlow: the same files give the same hashes; changing one
// card changes its flow's hash and no other's.
func TestHashFollowsTheFlow(t *testing.T) {
	srcs := onboarding(t)
	a, b := compile(t, srcs), compile(t, srcs)
	for name, f := range a.Flows {
		if b.Flows[name].Hash != f.Hash {
			t.Errorf("flow %s: two compiles of the same files hash %s and %s", name, f.Hash, b.Flows[name].Hash)
		}
	}
	src := string(srcs["request_approval.hcl"])
	edited := map[string][]byte{}
	for k, v := range srcs {
		edited[k] = v
	}
	edited["request_approval.hcl"] = []byte(strings.Replace(src, `"Approve access for`, `"Please approve access for`, 1))
	if string(edited["request_approval.hcl"]) == src {
		t.Fatal("request_approval.hcl has no short_description to change")
	}
	c := compile(t, edited)
	if c.Flows["request_approval"].Hash == a.Flows["request_approval"].Hash {
		t.Error("editing request_approval kept its hash")
	}
	for _, name := range []string{"provision_on_approval", "on_rejection"} {
		if c.Flows[name].Hash != a.Flows[name].Hash {
			t.Errorf("editing request_approval changed %s's hash", name)
		}
	}
}

// TestDerived: what a package derives from a generation is made once and
// kept by that generation only.
func TestDerived(t *testing.T) {
	gen := compile(t, onboarding(t))
	other := compile(t, onboarding(t))
	type key struct{}
	made := 0
	mk := func() any { made++; return new(int) }
	a, b := gen.Derived(key{}, mk), gen.Derived(key{}, mk)
	if a != b || made != 1 {
		t.Errorf("Derived made %d values for one generation (same: %v), want 1", made, a == b)
	}
	if c := other.Derived(key{}, mk); c == a || made != 2 {
		t.Errorf("another generation shares the derived value (made %d)", made)
	}
}
