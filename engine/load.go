package engine

import (
	"sort"

	"github.com/cardflow/cardflow/engine/config"
	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/lang"
	"github.com/cardflow/cardflow/engine/plan"
	"github.com/hashicorp/hcl/v2"
)

// LoadOptions configure Load.
type LoadOptions struct {
	Registry *connector.Registry
	Vars     lang.VarValues
	// Mode is lang.Check for validate and lang.Live for run.
	Mode lang.Mode
	Host lang.Host
	// CheckEnv makes unset env() variables errors in Check mode too, as
	// they are in Live mode (validate --check-env).
	CheckEnv bool
}

// Load parses every .hcl file under paths with a fresh parser and checks the
// whole configuration. Files is returned even when there are errors, for the
// diagnostic writer's snippets.
func Load(paths []string, opts LoadOptions) (*plan.Generation, map[string]*hcl.File, hcl.Diagnostics) {
	cfg, diags := config.Load(paths, opts.Registry)
	return compile(cfg, diags, opts)
}

// LoadSources is Load over in-memory files.
func LoadSources(srcs map[string][]byte, opts LoadOptions) (*plan.Generation, map[string]*hcl.File, hcl.Diagnostics) {
	cfg, diags := config.LoadSources(srcs, opts.Registry)
	return compile(cfg, diags, opts)
}

func compile(cfg *config.Config, diags hcl.Diagnostics, opts LoadOptions) (*plan.Generation, map[string]*hcl.File, hcl.Diagnostics) {
	if cfg == nil {
		return nil, nil, diags
	}
	// Even with structure errors the checker reports what it can still see
	// in the files that parsed, without duplicates.
	gen, d := plan.Compile(cfg, plan.Options{Registry: opts.Registry, Vars: opts.Vars, Mode: opts.Mode, Host: opts.Host, CheckEnv: opts.CheckEnv})
	return gen, cfg.Files, sortDiagnostics(lang.Dedupe(append(diags, d...)))
}

// sortDiagnostics orders diagnostics as SortDiagnostics does and those at
// the same place by summary, so that output is stable from run to run (the
// checker walks maps).
func sortDiagnostics(diags hcl.Diagnostics) hcl.Diagnostics {
	SortDiagnostics(diags)
	for i := 0; i < len(diags); {
		j := i + 1
		for j < len(diags) && samePlace(diags[i].Subject, diags[j].Subject) {
			j++
		}
		same := diags[i:j]
		sort.SliceStable(same, func(a, b int) bool { return same[a].Summary < same[b].Summary })
		i = j
	}
	return diags
}

func samePlace(a, b *hcl.Range) bool {
	return a != nil && b != nil && a.Filename == b.Filename && a.Start.Byte == b.Start.Byte
}

// SortDiagnostics orders diagnostics by file and position, those without a
// range first; diagnostics at the same place keep their order. Every
// command prints diagnostics in this order.
func SortDiagnostics(diags hcl.Diagnostics) {
	sort.SliceStable(diags, func(i, j int) bool {
		a, b := diags[i].Subject, diags[j].Subject
		switch {
		case a == nil || b == nil:
			return a == nil && b != nil
		case a.Filename != b.Filename:
			return a.Filename < b.Filename
		}
		return a.Start.Byte < b.Start.Byte
	})
}
