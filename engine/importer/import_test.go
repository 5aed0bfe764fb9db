package importer_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/importer"
	"github.com/hashicorp/hcl/v2/hclwrite"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func importFile(t *testing.T, name string) *importer.Result {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata/import", name))
	if err != nil {
		t.Fatal(err)
	}
	p, err := importer.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	res, err := importer.Convert(p, registry())
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestGolden compares every file an import writes, and its report, with
// testdata/import/<export>.golden/; go test -update rewrites them.
func TestGolden(t *testing.T) {
	for _, name := range []string{"approvals.flopack", "unsupported.flopack", "endpoint-reply.flopack", "password-import.flopack", "event-cards.flopack", "okta-api-native.flopack", "filter-custom.flopack", "date-diff.flopack", "find-last.flopack", "find-by.flopack"} {
		t.Run(name, func(t *testing.T) {
			res := importFile(t, name)
			var rep bytes.Buffer
			res.Report.WriteText(&rep)
			got := map[string][]byte{"report.txt": rep.Bytes()}
			for n, b := range res.Files {
				got[n] = b
				if !bytes.Equal(hclwrite.Format(b), b) {
					t.Errorf("%s is not in canonical format (cardflow fmt would change it)", n)
				}
			}
			dir := filepath.Join("testdata/import", strings.TrimSuffix(name, ".flopack")+".golden")
			if *update {
				os.RemoveAll(dir)
				os.MkdirAll(dir, 0o755)
				for n, b := range got {
					if err := os.WriteFile(filepath.Join(dir, n), b, 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, e := range entries {
				want = append(want, e.Name())
				b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
				if !bytes.Equal(b, got[e.Name()]) {
					t.Errorf("%s differs from %s:\n%s", e.Name(), dir, got[e.Name()])
				}
			}
			have := connector.SortedKeys(got)
			if strings.Join(have, " ") != strings.Join(want, " ") {
				t.Errorf("files = %v, golden has %v", have, want)
			}
		})
	}
}

// TestDeterministic imports the same export twice: the bytes must match.
func TestDeterministic(t *testing.T) {
	for i := 0; i < 5; i++ {
		a, b := importFile(t, "approvals.flopack"), importFile(t, "approvals.flopack")
		for n := range a.Files {
			if !bytes.Equal(a.Files[n], b.Files[n]) {
				t.Fatalf("%s differs between two imports", n)
			}
		}
	}
}

// TestMalformed: damaged exports are refused with an error naming the
// problem.
func TestMalformed(t *testing.T) {
	for name, want := range map[string]string{
		"malformed-truncated.flopack":    "the JSON ends early",
		"malformed-missing-card.flopack": `card "Read User" wires its output to card c-missing, which is not in the flow`,
		"malformed-cycle.flopack":        "the pins form a cycle: User Created → Okta User → Read User → Compose → Read User",
	} {
		data, err := os.ReadFile(filepath.Join("testdata/import", name))
		if err != nil {
			t.Fatal(err)
		}
		_, err = importer.Parse(data)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want one containing %q", name, err, want)
		}
	}
	if _, err := importer.Parse([]byte(`{"type":"flopack"}`)); err == nil || !strings.Contains(err.Error(), "no data.flos") {
		t.Errorf("an export without flows: %v", err)
	}
}
