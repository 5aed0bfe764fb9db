//go:build unix

package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The README and docs/ are run as written: TestDocsCommandsRun runs every
// cardflow command of their shell code blocks from the root of the
// repository, TestReadmeWalkthrough the "Your first flow" section end to
// end. A command that is not meant to run as written must be recognisable
// here, by one of these rules, or the test fails on it.

// walkthroughSection is the README section TestReadmeWalkthrough runs; its
// commands use files the walkthrough writes, so TestDocsCommandsRun leaves
// them to it.
const walkthroughSection = "Your first flow"

// serverCommands run until stopped: the docs show how to start them, and
// the walkthrough test starts them in the background as it says.
var serverCommands = map[string]bool{"run": true, "emulate": true, "console": true}

// synopsis matches a usage line rather than a command: optional parts in
// brackets, an ellipsis, or a placeholder in capitals (FLOW, PATH, ID).
var synopsis = regexp.MustCompile(`\[|…|\b[A-Z][A-Z_]+\b`)

var subcommand = regexp.MustCompile(`\bcardflow ([a-z][a-z-]*)`)

// codeBlock is one fenced code block of a Markdown file.
type codeBlock struct {
	file    string
	line    int // of the opening fence
	lang    string
	section string // the "## " heading it is under
	lines   []string
}

func codeBlocks(t *testing.T, path string) []codeBlock {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var blocks []codeBlock
	var cur *codeBlock
	section := ""
	for i, l := range strings.Split(string(b), "\n") {
		switch {
		case cur == nil && strings.HasPrefix(l, "```"):
			cur = &codeBlock{file: path, line: i + 1, lang: strings.TrimSpace(l[3:]), section: section}
		case cur != nil && strings.HasPrefix(l, "```"):
			blocks = append(blocks, *cur)
			cur = nil
		case cur != nil:
			cur.lines = append(cur.lines, l)
		case strings.HasPrefix(l, "## "):
			section = strings.TrimSpace(l[3:])
		}
	}
	return blocks
}

// commands returns the shell commands of a block: every line of a sh
// block, the "$ " lines of a console block; continued lines joined.
func (b codeBlock) commands() []string {
	var out []string
	cont := false
	for _, l := range b.lines {
		switch b.lang {
		case "sh", "bash":
		case "console":
			if !cont {
				if !strings.HasPrefix(l, "$ ") {
					continue
				}
				l = l[2:]
			}
		default:
			return nil
		}
		if cont {
			out[len(out)-1] += "\n" + l
		} else {
			out = append(out, l)
		}
		cont = strings.HasSuffix(l, `\`)
	}
	return out
}

// cleanEnv is the environment without cardflow's and the connections'
// variables, as on a machine that never ran cardflow.
func cleanEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "CARDFLOW_") || strings.HasPrefix(kv, "OKTA_") || strings.HasPrefix(kv, "SERVICENOW_") {
			continue
		}
		if strings.HasPrefix(kv, "PATH=") {
			kv = "PATH=" + filepath.Dir(cardflowBin) + string(os.PathListSeparator) + kv[len("PATH="):]
		}
		env = append(env, kv)
	}
	return append(env, extra...)
}

// shell runs script with bash in dir, in a process group of its own that
// is killed when the test ends, so that background jobs it started stop
// even when it fails before stopping them. env is added to cleanEnv's.
func shell(t *testing.T, dir, script string, timeout time.Duration, env ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-e", "-c", script)
	cmd.Dir = dir
	cmd.Env = cleanEnv(env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pgid := cmd.Process.Pid
	t.Cleanup(func() { _ = syscall.Kill(-pgid, syscall.SIGKILL) })
	err := cmd.Wait()
	return out.String(), err
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func TestDocsCommandsRun(t *testing.T) {
	if cardflowBin == "" {
		t.Skip("end-to-end test (not with -short)")
	}
	root := repoRoot(t)
	docs, _ := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	ran := 0
	for _, path := range append([]string{filepath.Join(root, "README.md")}, docs...) {
		for _, b := range codeBlocks(t, path) {
			if filepath.Base(path) == "README.md" && b.section == walkthroughSection {
				continue
			}
			for _, c := range b.commands() {
				cmd, _, _ := strings.Cut(c, " #")
				if !strings.HasPrefix(cmd, "cardflow ") || synopsis.MatchString(cmd) || startsServer(cmd) {
					continue
				}
				ran++
				rel, _ := filepath.Rel(root, path)
				t.Run(fmt.Sprintf("%s:%d %s", rel, b.line, cmd), func(t *testing.T) {
					t.Parallel()
					out, err := shell(t, root, cmd, 2*time.Minute)
					if err != nil {
						t.Errorf("%s (code block at %s:%d) failed: %v\n%s", cmd, rel, b.line, err, out)
					}
				})
			}
		}
	}
	// The README points at dry-run, test and validate examples; a rule
	// that skipped them all would make this test pass without running
	// anything.
	if ran < 5 {
		t.Errorf("only %d commands of the docs ran; the skipping rules are too wide", ran)
	}
}

func startsServer(cmd string) bool {
	for _, m := range subcommand.FindAllStringSubmatch(cmd, -1) {
		if serverCommands[m[1]] {
			return true
		}
	}
	return false
}

// TestReadmeWalkthrough runs the README's "Your first flow" as written: the
// files it shows are saved where it says, its shell blocks run in order in
// one bash (the emulator and cardflow run in the background, as written),
// in a fresh directory holding only the repository file it reads. Only the
// two loopback ports change, to free ones, and the admin surface of
// cardflow run, which the walkthrough leaves at its default 127.0.0.1:9090
// (often taken on a developer's machine), goes to a free port through
// CARDFLOW_ADMIN_LISTEN.
func TestReadmeWalkthrough(t *testing.T) {
	if cardflowBin == "" {
		t.Skip("end-to-end test (not with -short)")
	}
	root := repoRoot(t)
	var script strings.Builder
	files, commands := 0, 0
	for _, b := range codeBlocks(t, filepath.Join(root, "README.md")) {
		if b.section != walkthroughSection {
			continue
		}
		switch {
		case len(b.lines) > 0 && strings.HasPrefix(b.lines[0], "# myflows/"):
			// A file to save: its first line names it.
			name := strings.TrimPrefix(b.lines[0], "# ")
			fmt.Fprintf(&script, "mkdir -p %s\ncat > %s <<'WALKTHROUGH_EOF'\n%s\nWALKTHROUGH_EOF\n", filepath.Dir(name), name, strings.Join(b.lines, "\n"))
			files++
		case b.lang == "sh":
			script.WriteString(strings.Join(b.lines, "\n") + "\n")
			commands++
		}
	}
	if files < 2 || commands < 5 {
		t.Fatalf("the walkthrough has %d files and %d shell blocks: is the section %q still there?", files, commands, walkthroughSection)
	}
	text := script.String()
	var ports []string
	for _, port := range []string{"8080", "8081"} {
		if !strings.Contains(text, "127.0.0.1:"+port) {
			t.Fatalf("the walkthrough no longer uses 127.0.0.1:%s; update this test", port)
		}
		ports = append(ports, "127.0.0.1:"+port, loopbackAddr(t))
	}
	text = strings.NewReplacer(ports...).Replace(text)

	dir := t.TempDir()
	event := "flows/onboarding/testdata/user-created.json"
	data, err := os.ReadFile(filepath.Join(root, event))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(event)), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, event), data, 0o644); err != nil {
		t.Fatal(err)
	}

	out, err := shell(t, dir, text, 3*time.Minute, "CARDFLOW_ADMIN_LISTEN="+loopbackAddr(t))
	if err != nil {
		t.Fatalf("the walkthrough failed: %v\n-- output --\n%s\n-- script --\n%s", err, out, text)
	}
	for _, want := range []string{
		"The configuration is valid",      // 2. validate
		"1 passed, 0 failed",              // 4. test
		"The flow would end succeeded.",   // 5. dry-run
		`"verificationStatus":"VERIFIED"`, // 6. the hook is verified
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the walkthrough's output lacks %q:\n%s", want, out)
		}
	}
	// 7. the history lists the execution the emulator's event started.
	if !regexp.MustCompile(`(?m)^ex_\S+\s+welcome\s+succeeded\b`).MatchString(out) {
		t.Errorf("the history does not list a succeeded welcome execution:\n%s", out)
	}
	if log, err := os.ReadFile(filepath.Join(dir, "run.log")); err == nil && bytes.Contains(log, []byte("dev-secret")) {
		t.Errorf("the event hook secret is in cardflow run's log:\n%s", log)
	}
}

// loopbackAddr returns a loopback address no one listens on now.
func loopbackAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

var mdLink = regexp.MustCompile(`\]\(([^)#\s]+)(#[^)\s]*)?\)`)

// TestDocsLinksResolve: every relative link of README.md and docs/*.md
// names a file of the repository, so that moving a page breaks a test
// rather than a reader's click.
func TestDocsLinksResolve(t *testing.T) {
	root := repoRoot(t)
	docs, _ := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	for _, path := range append([]string{filepath.Join(root, "README.md")}, docs...) {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range mdLink.FindAllStringSubmatch(string(b), -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			if _, err := os.Stat(filepath.Join(filepath.Dir(path), target)); err != nil {
				rel, _ := filepath.Rel(root, path)
				t.Errorf("%s links to %s: %v", rel, target, err)
			}
		}
	}
}
