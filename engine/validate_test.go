package engine_test

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/cardflow/cardflow/connectors/core"
	"github.com/cardflow/cardflow/connectors/okta"
	"github.com/cardflow/cardflow/connectors/servicenow"
	"github.com/cardflow/cardflow/engine"
	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/lang"
	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
)

// validateDir holds the checker's fixtures: every entry of valid/ and
// invalid/ (a directory or a single .hcl file) is one configuration.
const validateDir = "../testdata/validate"

// testEnv is the environment the fixtures are validated in: the
// onboarding connections' variables are set, anything else is not.
var testEnv = map[string]string{
	"OKTA_ORG_URL":            "https://acme.okta.com",
	"OKTA_API_TOKEN":          "00aBcD-token",
	"OKTA_EVENT_HOOK_SECRET":  "hook-secret",
	"SERVICENOW_INSTANCE_URL": "https://acme.service-now.com",
	"SERVICENOW_USERNAME":     "cardflow",
	"SERVICENOW_PASSWORD":     "sn-password",
	"HR_ENDPOINT_TOKEN":       "hr-token",
	"SLACK_WEBHOOK_URL":       "https://hooks.slack.com/services/T000/B000/XXXX",
}

func checkerRegistry() *connector.Registry {
	return connector.NewRegistry(append(core.Connectors(), okta.New(), servicenow.New())...)
}

func checkerOptions() engine.LoadOptions {
	return engine.LoadOptions{
		Registry: checkerRegistry(),
		Mode:     lang.Check,
		// As validate --check-env: the fixtures mark unset variables.
		CheckEnv: true,
		Host: lang.Host{LookupEnv: func(name string) (string, bool) {
			v, ok := testEnv[name]
			return v, ok
		}},
	}
}

// cases returns the configurations under dir, by name.
func fixtureCases(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() || strings.HasSuffix(e.Name(), ".hcl") {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	if len(out) == 0 {
		t.Fatalf("no cases in %s", dir)
	}
	return out
}

func TestValidateValid(t *testing.T) {
	for _, path := range fixtureCases(t, filepath.Join(validateDir, "valid")) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			_, _, diags := engine.Load([]string{path}, checkerOptions())
			for _, d := range diags {
				t.Errorf("unexpected %s", describe(d))
			}
		})
	}
}

func TestValidateOnboardingFlows(t *testing.T) {
	_, _, diags := engine.Load([]string{"../flows"}, checkerOptions())
	for _, d := range diags {
		t.Errorf("unexpected %s", describe(d))
	}
}

func TestValidateInvalid(t *testing.T) {
	all := fixtureCases(t, filepath.Join(validateDir, "invalid"))
	if len(all) < 40 {
		t.Errorf("only %d invalid cases; the checker needs at least 40", len(all))
	}
	for _, path := range all {
		t.Run(filepath.Base(path), func(t *testing.T) {
			want, hints := expectations(t, path)
			if len(want) == 0 {
				t.Fatal("an invalid case must mark at least one diagnostic with # ERROR: or # WARNING:")
			}
			_, _, diags := engine.Load([]string{path}, checkerOptions())
			var got []string
			for _, d := range diags {
				if d.Subject == nil {
					t.Errorf("diagnostic without a source range: %s", describe(d))
					continue
				}
				got = append(got, marker(d.Subject.Filename, d.Subject.Start.Line, severity(d), d.Summary))
				if !strings.HasSuffix(d.Detail, ".") && !strings.HasSuffix(d.Detail, "?") {
					t.Errorf("detail of %q should be sentences ending with a period: %q", d.Summary, d.Detail)
				}
				if strings.HasSuffix(d.Summary, ".") {
					t.Errorf("summary %q ends with a period", d.Summary)
				}
				for _, h := range hints[got[len(got)-1]] {
					if !strings.Contains(d.Detail, h) {
						t.Errorf("detail of %s does not contain %q: %q", got[len(got)-1], h, d.Detail)
					}
				}
			}
			sort.Strings(got)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s\nall diagnostics:\n%s", diff, describeAll(diags))
			}
		})
	}
}

// markerRE matches `ERROR: Summary` or `WARNING: Summary ~ detail text`
// inside a comment; several may follow each other on one line.
var markerRE = regexp.MustCompile(`(ERROR|WARNING): ([^#~]+?)\s*(?:~\s*([^#]+?))?\s*(?:#|$)`)

// expectations reads the markers of every .hcl file of a case. hints maps
// a marker to text its diagnostic's Detail must contain.
func expectations(t *testing.T, path string) ([]string, map[string][]string) {
	t.Helper()
	var files []string
	err := filepath.WalkDir(path, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".hcl") {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	hints := map[string][]string{}
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		for line := 1; sc.Scan(); line++ {
			text := sc.Text()
			i := strings.Index(text, "# ERROR:")
			if j := strings.Index(text, "# WARNING:"); i < 0 || (j >= 0 && j < i) {
				i = j
			}
			if i < 0 {
				continue
			}
			rest := text[i+1:]
			for len(rest) > 0 {
				m := markerRE.FindStringSubmatchIndex(rest)
				if m == nil {
					break
				}
				sev, summary := rest[m[2]:m[3]], rest[m[4]:m[5]]
				key := marker(f, line, strings.ToLower(sev), summary)
				want = append(want, key)
				if m[6] >= 0 {
					hints[key] = append(hints[key], rest[m[6]:m[7]])
				}
				rest = rest[m[1]:]
			}
		}
		fh.Close()
	}
	sort.Strings(want)
	return want, hints
}

func marker(file string, line int, sev, summary string) string {
	return fmt.Sprintf("%s:%d: %s: %s", filepath.ToSlash(file), line, sev, summary)
}

func severity(d *hcl.Diagnostic) string {
	if d.Severity == hcl.DiagWarning {
		return "warning"
	}
	return "error"
}

func describe(d *hcl.Diagnostic) string {
	where := "(no range)"
	if d.Subject != nil {
		where = d.Subject.String()
	}
	return fmt.Sprintf("%s %s: %s: %s", severity(d), where, d.Summary, d.Detail)
}

func describeAll(diags hcl.Diagnostics) string {
	var b strings.Builder
	for _, d := range diags {
		b.WriteString("  " + describe(d) + "\n")
	}
	return b.String()
}
