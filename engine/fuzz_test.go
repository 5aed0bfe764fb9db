package engine_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cardflow/cardflow/engine"
)

// FuzzLoad feeds arbitrary bytes as one flow file through the loader and
// the checker: whatever an author writes, validate answers with
// diagnostics, never a panic.
func FuzzLoad(f *testing.F) {
	for _, root := range []string{"../testdata/validate", "../flows"} {
		err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".hcl") {
				return err
			}
			b, err := os.ReadFile(p)
			if err == nil {
				f.Add(b)
			}
			return err
		})
		if err != nil {
			f.Fatal(err)
		}
	}
	opts := checkerOptions()
	f.Fuzz(func(t *testing.T, src []byte) {
		gen, files, diags := engine.LoadSources(map[string][]byte{"fuzz.hcl": src}, opts)
		if files == nil {
			t.Fatal("no files for the diagnostic writer")
		}
		if gen == nil && !diags.HasErrors() {
			t.Fatal("no generation and no error")
		}
		for _, d := range diags {
			if d.Summary == "" {
				t.Errorf("diagnostic without summary: %+v", d)
			}
		}
	})
}
