package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/cardflow/cardflow/engine/plan"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcled"
)

// writeDiagnosticsText prints diagnostics with source snippets, as
// Terraform does, each located as FILE:LINE:COLUMN ("on flows/a.hcl:19:38,
// in flow …"), the form editors and terminals open at the column. HCL's
// writer says "on FILE line LINE", without the column: that line is
// rewritten, the rest (snippet, values, color) is HCL's.
func writeDiagnosticsText(w io.Writer, files map[string]*hcl.File, diags hcl.Diagnostics, color bool) {
	if len(diags) == 0 {
		return
	}
	var buf bytes.Buffer
	wr := hcl.NewDiagnosticTextWriter(&buf, redactSecrets(files, diags), 100, color)
	for _, d := range diags {
		buf.Reset()
		_ = wr.WriteDiagnostic(d)
		out := buf.Bytes()
		if s := d.Subject; s != nil {
			hclForm := fmt.Sprintf("\n  on %s line %d", s.Filename, s.Start.Line)
			ours := fmt.Sprintf("\n  on %s:%d:%d", s.Filename, s.Start.Line, s.Start.Column)
			out = bytes.Replace(out, []byte(hclForm), []byte(ours), 1)
		}
		_, _ = w.Write(out)
	}
}

// redactSecrets returns files with the source of every secret a
// diagnostic points at (a "Literal secret") masked byte for byte: the
// snippets of all diagnostics, not only that one, keep their positions
// and lose the secret, which would otherwise go from git into CI logs.
func redactSecrets(files map[string]*hcl.File, diags hcl.Diagnostics) map[string]*hcl.File {
	masked := map[string][]byte{}
	for _, d := range diags {
		for _, r := range plan.Secrets(d) {
			f := files[r.Filename]
			if f == nil || r.Start.Byte >= r.End.Byte || r.End.Byte > len(f.Bytes) {
				continue
			}
			b := masked[r.Filename]
			if b == nil {
				b = bytes.Clone(f.Bytes)
				masked[r.Filename] = b
			}
			for i := r.Start.Byte; i < r.End.Byte; i++ {
				if b[i] != '"' && b[i] != '\n' {
					b[i] = '*'
				}
			}
		}
	}
	if len(masked) == 0 {
		return files
	}
	out := make(map[string]*hcl.File, len(files))
	for n, f := range files {
		out[n] = f
	}
	for n, b := range masked {
		c := *files[n]
		c.Bytes = b
		out[n] = &c
	}
	return out
}

// The JSON envelope of Terraform's validate -json.
type jsonValidation struct {
	FormatVersion string           `json:"format_version"`
	Valid         bool             `json:"valid"`
	ErrorCount    int              `json:"error_count"`
	WarningCount  int              `json:"warning_count"`
	Diagnostics   []jsonDiagnostic `json:"diagnostics"`
}

type jsonDiagnostic struct {
	Severity string       `json:"severity"`
	Summary  string       `json:"summary"`
	Detail   string       `json:"detail"`
	Range    *jsonRange   `json:"range,omitempty"`
	Snippet  *jsonSnippet `json:"snippet,omitempty"`
}

type jsonRange struct {
	Filename string  `json:"filename"`
	Start    jsonPos `json:"start"`
	End      jsonPos `json:"end"`
}

type jsonPos struct {
	Line   int `json:"line"`
	Column int `json:"column"`
	Byte   int `json:"byte"`
}

type jsonSnippet struct {
	Context              *string `json:"context"`
	Code                 string  `json:"code"`
	StartLine            int     `json:"start_line"`
	HighlightStartOffset int     `json:"highlight_start_offset"`
	HighlightEndOffset   int     `json:"highlight_end_offset"`
	Values               []any   `json:"values"`
}

func countDiags(diags hcl.Diagnostics) (errs, warns int) {
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			errs++
		} else {
			warns++
		}
	}
	return errs, warns
}

func toJSONDiagnostics(files map[string]*hcl.File, diags hcl.Diagnostics) []jsonDiagnostic {
	files = redactSecrets(files, diags)
	out := make([]jsonDiagnostic, 0, len(diags))
	for _, d := range diags {
		jd := jsonDiagnostic{Severity: "error", Summary: d.Summary, Detail: d.Detail}
		if d.Severity == hcl.DiagWarning {
			jd.Severity = "warning"
		}
		if d.Subject != nil {
			highlight := *d.Subject
			// Some diagnostic sources leave the end unset.
			if highlight.End == (hcl.Pos{}) {
				highlight.End = highlight.Start
			}
			snippetRange := highlight
			if d.Context != nil {
				snippetRange = hcl.RangeOver(*d.Context, highlight)
			}
			// Empty ranges make odd output: extend them to one byte, as
			// Terraform does.
			if snippetRange.Empty() {
				snippetRange.End.Byte++
				snippetRange.End.Column++
			}
			if highlight.Empty() {
				highlight.End.Byte++
				highlight.End.Column++
			}
			jd.Range = &jsonRange{
				Filename: highlight.Filename,
				Start:    jsonPos{highlight.Start.Line, highlight.Start.Column, highlight.Start.Byte},
				End:      jsonPos{highlight.End.Line, highlight.End.Column, highlight.End.Byte},
			}
			if f := files[highlight.Filename]; f != nil && f.Bytes != nil {
				jd.Snippet = snippet(f, highlight, snippetRange)
			}
		}
		out = append(out, jd)
	}
	return out
}

// snippet extracts the source lines of a diagnostic as Terraform's
// validate -json does: the lines overlapping the snippet range, the
// highlight as offsets into them (clamped), and the header of the
// enclosing block as context.
func snippet(f *hcl.File, highlight, snippetRange hcl.Range) *jsonSnippet {
	s := &jsonSnippet{Values: []any{}, StartLine: snippetRange.Start.Line}
	if ctx := hcled.ContextString(f, highlight.Start.Byte-1); ctx != "" {
		s.Context = &ctx
	}
	var code strings.Builder
	codeStart, started := 0, false
	sc := hcl.NewRangeScanner(f.Bytes, highlight.Filename, bufio.ScanLines)
	for sc.Scan() {
		line := sc.Range()
		if !line.Overlaps(snippetRange) {
			continue
		}
		if !started {
			codeStart, started = line.Start.Byte, true
		}
		code.Write(sc.Bytes())
		code.WriteByte('\n')
	}
	s.Code = strings.TrimSuffix(code.String(), "\n")
	start := highlight.Start.Byte - codeStart
	end := start + (highlight.End.Byte - highlight.Start.Byte)
	s.HighlightStartOffset = max(0, min(start, len(s.Code)))
	s.HighlightEndOffset = max(0, min(end, len(s.Code)))
	return s
}

func writeDiagnosticsJSON(w io.Writer, files map[string]*hcl.File, diags hcl.Diagnostics) error {
	errs, warns := countDiags(diags)
	v := jsonValidation{
		FormatVersion: "1.0",
		Valid:         errs == 0,
		ErrorCount:    errs,
		WarningCount:  warns,
		Diagnostics:   toJSONDiagnostics(files, diags),
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// writeDiagnosticsGitHub prints workflow commands that GitHub Actions turns
// into annotations on the pull request.
func writeDiagnosticsGitHub(w io.Writer, diags hcl.Diagnostics) {
	for _, d := range diags {
		level := "error"
		if d.Severity == hcl.DiagWarning {
			level = "warning"
		}
		var props []string
		if d.Subject != nil {
			r := d.Subject
			props = append(props,
				"file="+ghProp(r.Filename),
				fmt.Sprintf("line=%d", r.Start.Line),
				fmt.Sprintf("col=%d", r.Start.Column),
				fmt.Sprintf("endLine=%d", r.End.Line),
				fmt.Sprintf("endColumn=%d", r.End.Column))
		}
		props = append(props, "title="+ghProp(d.Summary))
		fmt.Fprintf(w, "::%s %s::%s\n", level, strings.Join(props, ","), ghData(d.Detail))
	}
}

func ghData(s string) string {
	r := strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	return r.Replace(s)
}

func ghProp(s string) string {
	r := strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
	return r.Replace(s)
}
