package importer_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/cardflow/cardflow/connectors/core"
	"github.com/cardflow/cardflow/connectors/okta"
	"github.com/cardflow/cardflow/connectors/servicenow"
	"github.com/cardflow/cardflow/engine"
	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/importer"
	"github.com/cardflow/cardflow/engine/lang"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

func registry() *connector.Registry {
	return connector.NewRegistry(append(core.Connectors(), okta.New(), servicenow.New())...)
}

// corpusFiles lists the .flopack files under dir (recursively).
func corpusFiles(t *testing.T, dir string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".flopack") {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	return files
}

// measured is what validating one import found.
type measured struct {
	cards, cardsOK int // kernel, table, Okta and ServiceNow cards
	flows, flowsOK int // flows made only of those
	// failing counts, by "module.card (status)", the measured cards that
	// do not validate; blocking counts the flows each such card alone
	// keeps from validating.
	failing, blocking map[string]int
}

func (m *measured) add(o measured) {
	m.cards += o.cards
	m.cardsOK += o.cardsOK
	m.flows += o.flows
	m.flowsOK += o.flowsOK
	if m.failing == nil {
		m.failing, m.blocking = map[string]int{}, map[string]int{}
	}
	for k, n := range o.failing {
		m.failing[k] += n
	}
	for k, n := range o.blocking {
		m.blocking[k] += n
	}
}

var measuredModules = map[string]bool{"stash": true, "okta": true, "servicenow": true}

// measure imports one export, validates the result as `cardflow validate`
// does, and attributes every error to the card block it is in.
func measure(t *testing.T, name string, data []byte) measured {
	t.Helper()
	pack, err := importer.Parse(data)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	res, err := importer.Convert(pack, registry())
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	checkReport(t, name, res)
	checkEveryCard(t, name, data, res)
	_, _, diags := engine.LoadSources(res.Files, engine.LoadOptions{Registry: registry(), Mode: lang.Check, Host: lang.Host{LookupEnv: func(string) (string, bool) { return "", false }}})
	// Errors by file and card block.
	bad := map[string]map[string]bool{}
	for _, d := range diags {
		if d.Severity != hcl.DiagError || d.Subject == nil {
			continue
		}
		f := filepath.Base(d.Subject.Filename)
		if bad[f] == nil {
			bad[f] = map[string]bool{}
		}
		bad[f][blockAt(res.Files[f], d.Subject.Start.Line)] = true
	}
	m := measured{failing: map[string]int{}, blocking: map[string]int{}}
	for _, fr := range res.Report.Flows {
		onlyMeasured, flowOK := true, len(bad[fr.File]) == 0
		failing := map[string]bool{}
		for _, c := range fr.Cards {
			if !(c.Kernel || measuredModules[c.Module]) {
				onlyMeasured = false
				continue
			}
			m.cards++
			ok := c.Status == importer.Converted
			switch {
			case !ok:
			case bad[fr.File][c.As]:
				ok = false
			case c.As == "trigger":
				ok = !bad[fr.File]["trigger"]
			case !isBlock(res.Files[fr.File], c.As):
				// An expression validates when the cards it was written
				// into do.
				for _, blk := range c.Into {
					if bad[fr.File][blk] {
						ok = false
					}
				}
			}
			if ok {
				m.cardsOK++
			} else {
				k := fmt.Sprintf("%s.%s (%s)", c.Module, c.Card, c.Status)
				m.failing[k]++
				failing[k] = true
			}
		}
		if onlyMeasured {
			m.flows++
			if flowOK {
				m.flowsOK++
			} else if len(failing) == 1 {
				for k := range failing {
					m.blocking[k]++
				}
			}
		}
	}
	return m
}

// blockAt names the card block of src holding line: "card name", with a
// "placeholder:" prefix for okta_workflows.unconverted cards; "" outside
// cards.
func blockAt(src []byte, line int) string {
	f, _ := hclsyntax.ParseConfig(src, "x.hcl", hcl.InitialPos)
	if f == nil {
		return ""
	}
	for _, fb := range f.Body.(*hclsyntax.Body).Blocks {
		for _, b := range fb.Body.Blocks {
			if b.Type == "trigger" && b.Range().Start.Line <= line && line <= b.Range().End.Line {
				return "trigger"
			}
			if b.Type == "card" && b.Range().Start.Line <= line && line <= b.Range().End.Line {
				if a := b.Body.Attributes["action"]; a != nil && strings.Contains(string(a.Expr.Range().SliceBytes(src)), "unconverted") {
					return "placeholder:" + b.Labels[0]
				}
				return b.Labels[0]
			}
		}
	}
	return ""
}

func isBlock(src []byte, name string) bool {
	return strings.Contains(string(src), "card \""+name+"\" {")
}

// checkReport checks what every import must hold: files parse, are
// formatted, the report's counts add up and name files that exist.
func checkReport(t *testing.T, name string, res *importer.Result) {
	t.Helper()
	for fn, src := range res.Files {
		if _, diags := hclsyntax.ParseConfig(src, fn, hcl.InitialPos); diags.HasErrors() {
			t.Errorf("%s: %s does not parse: %s\n%s", name, fn, diags.Error(), src)
		}
	}
	c := res.Report.Counts()
	if c.Converted+c.Placeholder != c.Cards {
		t.Errorf("%s: counts do not add up: %+v", name, c)
	}
	n := 0
	for _, fr := range res.Report.Flows {
		n += len(fr.Cards)
		if res.Files[fr.File] == nil {
			t.Errorf("%s: the report names %s, which was not written", name, fr.File)
		}
	}
	if n != c.Cards || c.Flows != len(res.Report.Flows) {
		t.Errorf("%s: the report lists %d cards, counts say %d", name, n, c.Cards)
	}
}

// checkEveryCard checks that the report lists every card of the export:
// the cards of its flows and of the flows embedded in cards (If Error,
// If/ElseIf branches and error branches), those counted once per content,
// as the import writes one helper flow for branches with the same cards.
func checkEveryCard(t *testing.T, name string, data []byte, res *importer.Result) {
	t.Helper()
	var raw struct {
		Data struct {
			Flos map[string]struct {
				Data map[string]any `json:"data"`
			} `json:"flos"`
		} `json:"data"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	embedded := map[string]bool{}
	n := 0
	var count func(flow map[string]any)
	count = func(flow map[string]any) {
		methods, _ := flow["methods"].([]any)
		n += len(methods)
		for _, m := range methods {
			for _, sub := range embeddedFlows(m) {
				key, _ := json.Marshal(sub)
				if !embedded[string(key)] {
					embedded[string(key)] = true
					count(sub)
				}
			}
		}
	}
	for _, f := range raw.Data.Flos {
		count(f.Data)
	}
	if got := res.Report.Counts().Cards; got != n {
		t.Errorf("%s: the report lists %d cards, the export has %d", name, got, n)
	}
}

// embeddedFlows returns the flows embedded in a card: in its inputs and
// in its error policy.
func embeddedFlows(method any) []map[string]any {
	var out []map[string]any
	isFlow := func(v any) bool {
		f, ok := v.(map[string]any)
		_, has := f["methods"]
		return ok && has
	}
	model := dig(method, "node", "model")
	inputs, _ := dig(model, "inputs", "data").(map[string]any)
	for _, id := range connector.SortedKeys(inputs) {
		if v := dig(inputs[id], "value", "data"); isFlow(v) {
			out = append(out, v.(map[string]any))
		}
	}
	if v := dig(model, "policy", "error", "flo"); isFlow(v) {
		out = append(out, v.(map[string]any))
	}
	return out
}

func dig(v any, path ...string) any {
	for _, p := range path {
		m, _ := v.(map[string]any)
		v = m[p]
	}
	return v
}

// TestCorpus imports every export under testdata/import and, when
// OKTA_WORKFLOWS_TEMPLATES names a checkout of github.com/okta/workflows-templates,
// every template there, and prints the share of cards and flows that
// validate.
func TestCorpus(t *testing.T) {
	dirs := []string{"testdata/import"}
	if d := os.Getenv("OKTA_WORKFLOWS_TEMPLATES"); d != "" {
		dirs = append(dirs, d)
	}
	for _, dir := range dirs {
		files := corpusFiles(t, dir)
		var total measured
		total.add(measured{})
		for _, f := range files {
			if strings.Contains(filepath.Base(f), "malformed") {
				continue
			}
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			total.add(measure(t, f, data))
		}
		if total.cards == 0 {
			t.Fatalf("%s: no cards measured", dir)
		}
		t.Logf("%s: %d exports; kernel, table, Okta and ServiceNow cards that validate: %d of %d (%.1f %%); flows of only those cards that validate with no edits: %d of %d (%.1f %%)",
			dir, len(files), total.cardsOK, total.cards, pct(total.cardsOK, total.cards), total.flowsOK, total.flows, pct(total.flowsOK, total.flows))
		logFailing(t, total)
	}
}

// logFailing lists the cards that do not validate, most flows blocked
// first: the flows that card alone keeps from validating, then how many
// such cards there are.
func logFailing(t *testing.T, m measured) {
	t.Helper()
	keys := connector.SortedKeys(m.failing)
	sort.SliceStable(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if m.blocking[a] != m.blocking[b] {
			return m.blocking[a] > m.blocking[b]
		}
		return m.failing[a] > m.failing[b]
	})
	var b strings.Builder
	b.WriteString("cards that do not validate (flows that card alone blocks, cards):")
	for _, k := range keys {
		fmt.Fprintf(&b, "\n  %3d %4d  %s", m.blocking[k], m.failing[k], k)
	}
	t.Log(b.String())
}

func pct(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}
