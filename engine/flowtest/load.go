package flowtest

import (
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/cardflow/cardflow/engine"
	"github.com/cardflow/cardflow/engine/config"
	"github.com/cardflow/cardflow/engine/lang"
	"github.com/cardflow/cardflow/engine/plan"
	"github.com/hashicorp/hcl/v2"
)

// Suite is a loaded, checked configuration with its test files.
type Suite struct {
	Config *config.Config
	// Files are the parsed files, for diagnostic snippets.
	Files map[string]*hcl.File
	// Only, when set, restricts the runs to these test files (test files
	// named on the command line).
	Only map[string]bool
}

// Load reads the flows and test files under paths (directories or files;
// a *.test.hcl file loads the flows of its directory and only its own
// runs), checks the flows and the tests, and returns the suite. Warnings
// about the flows themselves (unset environment variables) are dropped:
// tests never read the environment. The suite is usable only when the
// diagnostics have no errors. It uses opts.Registry and opts.Emulators.
func Load(paths []string, opts Options) (*Suite, hcl.Diagnostics) {
	reg := opts.Registry
	s := &Suite{}
	var dirs []string
	for _, p := range paths {
		p = filepath.Clean(p)
		if info, err := os.Stat(p); err == nil && !info.IsDir() && strings.HasSuffix(p, config.TestFileSuffix) {
			if s.Only == nil {
				s.Only = map[string]bool{}
			}
			s.Only[p] = true
			p = filepath.Dir(p)
		}
		if !slices.Contains(dirs, p) {
			dirs = append(dirs, p)
		}
	}
	cfg, diags := config.Load(dirs, reg)
	if cfg == nil {
		return s, diags
	}
	s.Config, s.Files = cfg, cfg.Files
	gen, d := plan.Compile(cfg, plan.Options{Registry: reg, Mode: lang.Check, Host: testHost()})
	diags = append(diags, d...)
	diags = append(diags, Check(gen, opts.Emulators)...)
	engine.SortDiagnostics(diags)
	return s, diags
}

// Filter returns a run filter for the suite's Only files combined with
// match on run names (nil matches every run).
func (s *Suite) Filter(match func(run string) bool) func(file, run string) bool {
	return func(file, run string) bool {
		if s.Only != nil && !s.Only[filepath.Clean(file)] {
			return false
		}
		return match == nil || match(run)
	}
}
