package config

import (
	"fmt"
	"slices"
	"strings"

	"github.com/cardflow/cardflow/internal/didyoumean"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"
)

// TestFile is a *.test.hcl file: run blocks, each exercising one flow with a
// given trigger event and mocked connectors. Only the structure is decoded
// here; engine/flowtest evaluates and runs it against the checked flows.
type TestFile struct {
	Name string
	Runs []*TestRun
}

// TestRun is a `run "<name>"` block.
type TestRun struct {
	Name      string
	Flow      string // from flow = flow.<name>
	FlowRange hcl.Range
	// Variables is an object expression of variable values; nil when absent.
	Variables hcl.Expression
	// Trigger is the trigger value (trigger.*); TriggerFile a JSON file
	// holding it, relative to the test file. At most one is set.
	Trigger     hcl.Expression
	TriggerFile hcl.Expression
	// Repeat delivers the event that many times, as separate executions
	// sharing tables, mocks and emulators (duplicate deliveries).
	Repeat         hcl.Expression
	Tables         []*TestTable
	Mocks          []*TestMock
	Emulators      []*TestEmulator
	Asserts        []*TestAssert
	ExpectCalls    []*TestExpectCall
	ExpectSkipped  []CardRef
	ExpectFailures []CardRef
	// ExpectStatus is "" when the run does not set expect_status.
	ExpectStatus      string
	ExpectStatusRange hcl.Range
	DeclRange         hcl.Range
}

// CardRef is a card.<name> reference in a test.
type CardRef struct {
	Name  string
	Range hcl.Range
}

// TestTarget is what a mock or an expect_call block names: a card
// ("card.<name>") or an action ("<connector>.<action>").
type TestTarget struct {
	Card   string // set for card.<name>
	Action string // set for <connector>.<action>
	Range  hcl.Range
}

// String returns the target as written.
func (t TestTarget) String() string {
	if t.Card != "" {
		return "card." + t.Card
	}
	return t.Action
}

// TestTable is a `table "<name>"` block of a run: rows present before the
// execution starts.
type TestTable struct {
	Name      string
	NameRange hcl.Range
	Rows      hcl.Expression // map of key → row object
	DeclRange hcl.Range
}

// TestMock is a `mock "<target>"` block: the answer of the action instead of
// the connector. Output and Error may refer to input.* (the call's input).
type TestMock struct {
	Target    TestTarget
	Output    hcl.Expression // nil when absent
	Error     hcl.Expression // nil when absent
	Times     hcl.Expression // nil: answers every call
	DeclRange hcl.Range
}

// TestEmulator is an `emulator "<connector>"` block: the connector's cards
// that no mock answers are served by its built-in emulator.
type TestEmulator struct {
	Connector      string
	ConnectorRange hcl.Range
	SeedFile       hcl.Expression // nil when absent
	DeclRange      hcl.Range
}

// TestAssert is an `assert` block.
type TestAssert struct {
	Condition    hcl.Expression
	ErrorMessage hcl.Expression
	DeclRange    hcl.Range
}

// TestExpectCall is an `expect_call "<target>"` block.
type TestExpectCall struct {
	Target    TestTarget
	With      hcl.Expression // nil: any input
	Count     hcl.Expression // nil: at least once
	DeclRange hcl.Range
}

var testFileSchema = &hcl.BodySchema{
	Blocks: []hcl.BlockHeaderSchema{{Type: "run", LabelNames: []string{"name"}}},
}

var testRunSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "flow", Required: true},
		{Name: "variables"},
		{Name: "trigger"},
		{Name: "trigger_file"},
		{Name: "repeat"},
		{Name: "expect_skipped"},
		{Name: "expect_failures"},
		{Name: "expect_status"},
	},
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "table", LabelNames: []string{"name"}},
		{Type: "mock", LabelNames: []string{"target"}},
		{Type: "emulator", LabelNames: []string{"connector"}},
		{Type: "assert"},
		{Type: "expect_call", LabelNames: []string{"target"}},
	},
}

// TestStatuses are the values expect_status accepts.
var TestStatuses = []string{"succeeded", "failed", "halted", "filtered"}

func decodeTestFile(name string, body hcl.Body) (*TestFile, hcl.Diagnostics) {
	tf := &TestFile{Name: name}
	content, diags := body.Content(testFileSchema)
	for _, b := range content.Blocks {
		r, d := decodeTestRun(b)
		diags = append(diags, d...)
		if prev := tf.run(r.Name); prev != nil {
			diags = append(diags, duplicate("run", r.Name, prev.DeclRange, b.LabelRanges[0]))
			continue
		}
		tf.Runs = append(tf.Runs, r)
	}
	if len(content.Blocks) == 0 && !diags.HasErrors() {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagWarning,
			Summary:  "No run blocks",
			Detail:   "A test file holds run \"<name>\" { flow = flow.<name> … } blocks; this one has none.",
			Subject:  body.MissingItemRange().Ptr(),
		})
	}
	return tf, suggestTestNames(diags)
}

func (tf *TestFile) run(name string) *TestRun {
	for _, r := range tf.Runs {
		if r.Name == name {
			return r
		}
	}
	return nil
}

func decodeTestRun(b *hcl.Block) (*TestRun, hcl.Diagnostics) {
	r := &TestRun{Name: b.Labels[0], DeclRange: b.DefRange}
	content, diags := b.Body.Content(testRunSchema)
	if a, ok := content.Attributes["flow"]; ok {
		name, d := flowRef(a.Expr)
		diags = append(diags, d...)
		r.Flow, r.FlowRange = name, a.Expr.Range()
	}
	attr := func(name string) hcl.Expression {
		if a, ok := content.Attributes[name]; ok {
			return a.Expr
		}
		return nil
	}
	r.Variables, r.Trigger, r.TriggerFile, r.Repeat = attr("variables"), attr("trigger"), attr("trigger_file"), attr("repeat")
	if r.Trigger != nil && r.TriggerFile != nil {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Conflicting trigger arguments",
			Detail:   "Set either trigger (the event inline) or trigger_file (a JSON file), not both.",
			Subject:  r.TriggerFile.Range().Ptr(),
		})
	}
	if a, ok := content.Attributes["expect_status"]; ok {
		diags = append(diags, gohcl.DecodeExpression(a.Expr, nil, &r.ExpectStatus)...)
		r.ExpectStatusRange = a.Expr.Range()
		if r.ExpectStatus != "" && !slices.Contains(TestStatuses, r.ExpectStatus) {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid expect_status",
				Detail:   fmt.Sprintf("%q is not an execution status: use one of %s.%s", r.ExpectStatus, strings.Join(TestStatuses, ", "), didyoumean.Hint(r.ExpectStatus, TestStatuses)),
				Subject:  a.Expr.Range().Ptr(),
			})
		}
	}
	var d hcl.Diagnostics
	if a, ok := content.Attributes["expect_skipped"]; ok {
		r.ExpectSkipped, d = cardRefs(a.Expr)
		diags = append(diags, d...)
	}
	if a, ok := content.Attributes["expect_failures"]; ok {
		r.ExpectFailures, d = cardRefs(a.Expr)
		diags = append(diags, d...)
	}
	for _, blk := range content.Blocks {
		diags = append(diags, r.decodeBlock(blk)...)
	}
	return r, diags
}

func (r *TestRun) decodeBlock(blk *hcl.Block) hcl.Diagnostics {
	switch blk.Type {
	case "table":
		t, d := decodeTestTable(blk)
		r.Tables = append(r.Tables, t)
		return d
	case "mock":
		m, d := decodeTestMock(blk)
		r.Mocks = append(r.Mocks, m)
		return d
	case "emulator":
		e, d := decodeTestEmulator(blk)
		for _, prev := range r.Emulators {
			if prev.Connector == e.Connector {
				return append(d, duplicate("emulator", e.Connector, prev.DeclRange, blk.LabelRanges[0]))
			}
		}
		r.Emulators = append(r.Emulators, e)
		return d
	case "assert":
		a, d := decodeTestAssert(blk)
		r.Asserts = append(r.Asserts, a)
		return d
	case "expect_call":
		e, d := decodeTestExpectCall(blk)
		r.ExpectCalls = append(r.ExpectCalls, e)
		return d
	}
	return nil
}

var testTableSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "rows", Required: true}}}

func decodeTestTable(b *hcl.Block) (*TestTable, hcl.Diagnostics) {
	t := &TestTable{Name: b.Labels[0], NameRange: b.LabelRanges[0], DeclRange: b.DefRange}
	content, diags := b.Body.Content(testTableSchema)
	if a, ok := content.Attributes["rows"]; ok {
		t.Rows = a.Expr
	}
	return t, diags
}

var testMockSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "output"}, {Name: "error"}, {Name: "times"}},
}

func decodeTestMock(b *hcl.Block) (*TestMock, hcl.Diagnostics) {
	m := &TestMock{DeclRange: b.DefRange}
	var diags hcl.Diagnostics
	m.Target, diags = testTarget(b.Labels[0], b.LabelRanges[0], "mock")
	content, d := b.Body.Content(testMockSchema)
	diags = append(diags, d...)
	if a, ok := content.Attributes["output"]; ok {
		m.Output = a.Expr
	}
	if a, ok := content.Attributes["error"]; ok {
		m.Error = a.Expr
	}
	if a, ok := content.Attributes["times"]; ok {
		m.Times = a.Expr
	}
	if m.Output != nil && m.Error != nil {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Conflicting mock arguments",
			Detail:   "A mock answers with output or with error, not both. Use two mock blocks, the first with times, to fail and then succeed.",
			Subject:  m.Error.Range().Ptr(),
		})
	}
	return m, diags
}

var testEmulatorSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "seed_file"}}}

func decodeTestEmulator(b *hcl.Block) (*TestEmulator, hcl.Diagnostics) {
	e := &TestEmulator{Connector: b.Labels[0], ConnectorRange: b.LabelRanges[0], DeclRange: b.DefRange}
	content, diags := b.Body.Content(testEmulatorSchema)
	if a, ok := content.Attributes["seed_file"]; ok {
		e.SeedFile = a.Expr
	}
	return e, diags
}

var testAssertSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "condition", Required: true}, {Name: "error_message", Required: true}},
}

func decodeTestAssert(b *hcl.Block) (*TestAssert, hcl.Diagnostics) {
	a := &TestAssert{DeclRange: b.DefRange}
	content, diags := b.Body.Content(testAssertSchema)
	if at, ok := content.Attributes["condition"]; ok {
		a.Condition = at.Expr
	}
	if at, ok := content.Attributes["error_message"]; ok {
		a.ErrorMessage = at.Expr
	}
	return a, diags
}

var testExpectCallSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "with"}, {Name: "count"}},
}

func decodeTestExpectCall(b *hcl.Block) (*TestExpectCall, hcl.Diagnostics) {
	e := &TestExpectCall{DeclRange: b.DefRange}
	var diags hcl.Diagnostics
	e.Target, diags = testTarget(b.Labels[0], b.LabelRanges[0], "expect_call")
	content, d := b.Body.Content(testExpectCallSchema)
	diags = append(diags, d...)
	if a, ok := content.Attributes["with"]; ok {
		e.With = a.Expr
	}
	if a, ok := content.Attributes["count"]; ok {
		e.Count = a.Expr
	}
	return e, diags
}

// testTarget parses a mock or expect_call label: "card.<name>" or
// "<connector>.<action>".
func testTarget(label string, rng hcl.Range, block string) (TestTarget, hcl.Diagnostics) {
	t := TestTarget{Range: rng}
	first, rest, ok := strings.Cut(label, ".")
	if !ok || first == "" || rest == "" || strings.Contains(rest, ".") {
		return t, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid " + block + " target",
			Detail:   fmt.Sprintf("%q names neither a card nor an action: write %s \"card.<name>\" for one card, or %s \"<connector>.<action>\" (e.g. \"okta.read_user\") for every card of that action.", label, block, block),
			Subject:  rng.Ptr(),
		}}
	}
	if first == "card" {
		t.Card = rest
	} else {
		t.Action = label
	}
	return t, nil
}

// cardRefs decodes a list of card.<name> references.
func cardRefs(expr hcl.Expression) ([]CardRef, hcl.Diagnostics) {
	exprs, diags := hcl.ExprList(expr)
	var refs []CardRef
	for _, e := range exprs {
		tr, d := hcl.AbsTraversalForExpr(e)
		name, ok := "", false
		if !d.HasErrors() && len(tr) == 2 && tr.RootName() == "card" {
			if step, isAttr := tr[1].(hcl.TraverseAttr); isAttr {
				name, ok = step.Name, true
			}
		}
		if !ok {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid card reference",
				Detail:   "Expected a reference to a card of the flow, such as card.activate.",
				Subject:  e.Range().Ptr(),
			})
			continue
		}
		refs = append(refs, CardRef{Name: name, Range: e.Range()})
	}
	return refs, diags
}

// testBlockNames are the block and argument names of a run, for
// did-you-mean hints on HCL's unsupported-name diagnostics.
var testBlockNames = []string{"table", "mock", "emulator", "assert", "expect_call",
	"flow", "variables", "trigger", "trigger_file", "repeat", "expect_skipped", "expect_failures", "expect_status"}

// suggestTestNames adds a did-you-mean to HCL's "Unsupported block type" and
// "Unsupported argument" diagnostics in test files (expect_calls →
// expect_call).
func suggestTestNames(diags hcl.Diagnostics) hcl.Diagnostics {
	for _, d := range diags {
		if d.Summary != "Unsupported block type" && d.Summary != "Unsupported argument" {
			continue
		}
		if d.Subject == nil || strings.Contains(d.Detail, "Did you mean") {
			continue
		}
		_, name, ok := strings.Cut(d.Detail, "\"")
		if !ok {
			continue
		}
		name, _, _ = strings.Cut(name, "\"")
		if s := didyoumean.Hint(name, testBlockNames); s != "" {
			d.Detail = strings.TrimSuffix(d.Detail, ".") + "." + s
		}
	}
	return diags
}
