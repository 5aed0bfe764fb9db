package cli_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/hashicorp/hcl/v2/hclwrite"

	"github.com/cardflow/cardflow/engine/cli"
)

// TestFmtDiffApplies: what fmt -diff prints for several files (a change at
// each end, changes far apart, a missing final newline, a file already
// formatted) is a patch that git apply -p0 accepts and patch -p0 applies,
// turning every file into what fmt writes.
func TestFmtDiffApplies(t *testing.T) {
	patchCmd, err := exec.LookPath("patch")
	if err != nil {
		t.Skip("no patch on PATH")
	}
	files := map[string]string{
		"flows/ends.hcl": "flow \"a\" {\ntrigger \"flow.called\" {}\n  card \"c\" {\n    action = text.compose\n    text = \"x\"\n  }\n  }\n",
		"flows/far.hcl": "flow \"b\" {\n  trigger \"flow.called\" {}\n  card \"one\" {\n    action = text.compose\n    text=\"1\"\n  }\n" +
			"  card \"two\" {\n    action = text.compose\n    text = \"2\"\n  }\n  card \"three\" {\n    action = text.compose\n    text = \"3\"\n  }\n" +
			"  card \"four\" {\n    action = text.compose\n    text=\"4\"\n  }\n}\n",
		"flows/nonl.hcl": "flow \"c\" {\n  trigger \"flow.called\" {}\n  card \"c\" {\n    action = text.compose\n    text  =  \"x\"\n  }\n}",
		"flows/tidy.hcl": "flow \"d\" {\n  trigger \"flow.called\" {}\n}\n",
	}
	t.Chdir(t.TempDir())
	if err := os.MkdirAll("flows", 0o755); err != nil {
		t.Fatal(err)
	}
	for name, src := range files {
		if err := os.WriteFile(name, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r := run(t, nil, "fmt", "-check", "-diff", "flows")
	if r.code != cli.ExitFailed {
		t.Fatalf("fmt -check -diff: %s", r)
	}
	if err := os.WriteFile("fmt.patch", []byte(r.stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	if git, err := exec.LookPath("git"); err == nil {
		if out, err := exec.Command(git, "apply", "--check", "-p0", "fmt.patch").CombinedOutput(); err != nil {
			t.Errorf("git apply --check -p0 refused the diff: %v\n%s\n%s", err, out, r.stdout)
		}
	}
	cmd := exec.Command(patchCmd, "-p0", "--batch", "-i", "fmt.patch")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("patch -p0: %v\n%s\n%s", err, out, r.stdout)
	}
	for name, src := range files {
		got, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if want := hclwrite.Format([]byte(src)); !bytes.Equal(got, want) {
			t.Errorf("%s after patch:\n%s\nwant what fmt writes:\n%s", name, got, want)
		}
	}
	if r := run(t, nil, "fmt", "-check", "flows"); r.code != cli.ExitOK {
		t.Errorf("fmt -check after applying the diff: %s", r)
	}
	if _, err := os.Stat(filepath.Join("flows", "tidy.hcl.orig")); err == nil {
		t.Error("patch touched the file that needed no change")
	}
}
