package config

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// TestFileSuffix marks flow test files; they are loaded beside the flows.
const TestFileSuffix = ".test.hcl"

// Discover returns the .hcl files under paths (files or directories,
// searched recursively, hidden entries skipped), sorted.
func Discover(paths []string) ([]string, error) {
	seen := map[string]bool{}
	var files []string
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			if !seen[p] {
				seen[p] = true
				files = append(files, p)
			}
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			name := d.Name()
			if path != p && strings.HasPrefix(name, ".") {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if d.IsDir() || !strings.HasSuffix(name, ".hcl") {
				return nil
			}
			// Kubernetes ConfigMap mounts hold files behind symlinks; the
			// timestamped ..data directories are hidden and skipped above.
			if !seen[path] {
				seen[path] = true
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	sort.Strings(files)
	return files, nil
}

// ReadSources reads files into memory.
func ReadSources(files []string) (map[string][]byte, error) {
	srcs := make(map[string][]byte, len(files))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		srcs[f] = b
	}
	return srcs, nil
}

// Load reads every .hcl file under paths as one configuration.
func Load(paths []string, reg *connector.Registry) (*Config, hcl.Diagnostics) {
	files, err := Discover(paths)
	if err != nil {
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Cannot read flow files",
			Detail:   err.Error(),
		}}
	}
	if len(files) == 0 {
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "No flow files",
			Detail:   fmt.Sprintf("No .hcl files were found under %s.", strings.Join(paths, ", ")),
		}}
	}
	srcs, err := ReadSources(files)
	if err != nil {
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot read flow files", Detail: err.Error()}}
	}
	return LoadSources(srcs, reg)
}

// LoadSources parses in-memory files (name → content) as one configuration
// with a fresh parser.
func LoadSources(srcs map[string][]byte, reg *connector.Registry) (*Config, hcl.Diagnostics) {
	cfg := &Config{
		Files:       map[string]*hcl.File{},
		Sources:     srcs,
		Connections: map[string]*Connection{},
		Variables:   map[string]*Variable{},
		Tables:      map[string]*Table{},
		Flows:       map[string]*Flow{},
	}
	var diags hcl.Diagnostics
	names := connector.SortedKeys(srcs)
	parsed := parseAll(names, srcs)
	for i, name := range names {
		f, fdiags := parsed[i].file, parsed[i].diags
		diags = append(diags, trimSyntaxCascade(fdiags)...)
		if f == nil {
			continue
		}
		cfg.Files[name] = f
		if fdiags.HasErrors() {
			continue
		}
		if strings.HasSuffix(name, TestFileSuffix) {
			tf, tdiags := decodeTestFile(name, f.Body)
			diags = append(diags, tdiags...)
			if tf != nil {
				cfg.Tests = append(cfg.Tests, tf)
			}
			continue
		}
		diags = append(diags, cfg.decodeFile(f.Body, reg)...)
	}
	diags = append(diags, cfg.resolve(reg)...)
	return cfg, diags
}

type parsedFile struct {
	file  *hcl.File
	diags hcl.Diagnostics
}

// parseAll parses the files on every CPU: parsing is most of the time of
// loading a large tree, and files parse independently. Each file gets a
// fresh parse, as a fresh hclparse.Parser would give it (no cache survives
// a load, so reloads see edits).
func parseAll(names []string, srcs map[string][]byte) []parsedFile {
	out := make([]parsedFile, len(names))
	parallel(len(names), func(i int) {
		f, d := hclsyntax.ParseConfig(srcs[names[i]], names[i], hcl.InitialPos)
		out[i] = parsedFile{f, d}
	})
	return out
}

// parallel calls fn(0) … fn(n-1) on up to GOMAXPROCS goroutines and
// returns when all have returned.
func parallel(n int, fn func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers <= 1 {
		for i := range n {
			fn(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				fn(i)
			}
		})
	}
	wg.Wait()
}

// Parallel is parallel for the checker in engine/plan.
func Parallel(n int, fn func(i int)) { parallel(n, fn) }

var fileSchema = &hcl.BodySchema{
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "connection", LabelNames: []string{"type", "name"}},
		{Type: "variable", LabelNames: []string{"name"}},
		{Type: "table", LabelNames: []string{"name"}},
		{Type: "flow", LabelNames: []string{"name"}},
	},
}

func (cfg *Config) decodeFile(body hcl.Body, reg *connector.Registry) hcl.Diagnostics {
	content, diags := body.Content(fileSchema)
	for _, b := range content.Blocks {
		switch b.Type {
		case "connection":
			c, d := decodeConnection(b, reg)
			diags = append(diags, d...)
			if c != nil {
				if prev, dup := cfg.Connections[c.Addr()]; dup {
					diags = append(diags, duplicate("connection", c.Addr(), prev.DeclRange, b.LabelRanges[1]))
					continue
				}
				cfg.Connections[c.Addr()] = c
			}
		case "variable":
			v, d := decodeVariable(b)
			diags = append(diags, d...)
			if v != nil {
				if prev, dup := cfg.Variables[v.Name]; dup {
					diags = append(diags, duplicate("variable", v.Name, prev.DeclRange, b.LabelRanges[0]))
					continue
				}
				cfg.Variables[v.Name] = v
			}
		case "table":
			t, d := decodeTable(b)
			diags = append(diags, d...)
			if t != nil {
				if prev, dup := cfg.Tables[t.Name]; dup {
					diags = append(diags, duplicate("table", t.Name, prev.DeclRange, b.LabelRanges[0]))
					continue
				}
				cfg.Tables[t.Name] = t
			}
		case "flow":
			fl, d := decodeFlow(b, reg, cfg.Sources[b.DefRange.Filename])
			diags = append(diags, d...)
			if fl != nil {
				if prev, dup := cfg.Flows[fl.Name]; dup {
					diags = append(diags, duplicate("flow", fl.Name, prev.DeclRange, b.LabelRanges[0]))
					continue
				}
				cfg.Flows[fl.Name] = fl
			}
		}
	}
	return diags
}

func duplicate(kind, name string, prev hcl.Range, subject hcl.Range) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Duplicate " + kind,
		Detail:   fmt.Sprintf("A %s named %q was already declared at %s. Names must be unique within the configuration.", kind, name, prev),
		Subject:  subject.Ptr(),
	}
}

// trimSyntaxCascade drops the errors that follow from an unterminated
// string: HCL's scanner then reads every later line as part of a string and
// reports each one as an "Invalid multi-line string", burying the one
// mistake the author made under dozens of diagnostics.
func trimSyntaxCascade(diags hcl.Diagnostics) hcl.Diagnostics {
	var at *hcl.Range
	for _, d := range diags {
		if d.Summary == "Unterminated template string" && d.Subject != nil {
			if at == nil || d.Subject.Start.Byte < at.Start.Byte {
				at = d.Subject
			}
		}
	}
	if at == nil {
		return diags
	}
	out := diags[:0:0]
	for _, d := range diags {
		if d.Summary == "Invalid multi-line string" && d.Subject != nil && d.Subject.Start.Byte >= at.Start.Byte {
			continue
		}
		out = append(out, d)
	}
	return out
}
