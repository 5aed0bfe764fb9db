package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// writeDiagnosticsText prints diagnostics with source snippets, as
// Terraform does.
func writeDiagnosticsText(w io.Writer, files map[string]*hcl.File, diags hcl.Diagnostics, color bool) {
	if len(diags) == 0 {
		return
	}
	wr := hcl.NewDiagnosticTextWriter(w, files, 100, color)
	for _, d := range diags {
		_ = wr.WriteDiagnostic(d)
	}
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
	out := make([]jsonDiagnostic, 0, len(diags))
	for _, d := range diags {
		jd := jsonDiagnostic{Severity: "error", Summary: d.Summary, Detail: d.Detail}
		if d.Severity == hcl.DiagWarning {
			jd.Severity = "warning"
		}
		if d.Subject != nil {
			r := *d.Subject
			jd.Range = &jsonRange{
				Filename: r.Filename,
				Start:    jsonPos{r.Start.Line, r.Start.Column, r.Start.Byte},
				End:      jsonPos{r.End.Line, r.End.Column, r.End.Byte},
			}
			jd.Snippet = snippet(files, d)
		}
		out = append(out, jd)
	}
	return out
}

// snippet extracts the source lines of a diagnostic, as Terraform's JSON.
func snippet(files map[string]*hcl.File, d *hcl.Diagnostic) *jsonSnippet {
	r := *d.Subject
	f, ok := files[r.Filename]
	if !ok || f == nil {
		return nil
	}
	src := f.Bytes
	if r.Start.Byte > len(src) || r.End.Byte > len(src) {
		return nil
	}
	lineStart := strings.LastIndexByte(string(src[:r.Start.Byte]), '\n') + 1
	endLineEnd := len(src)
	if i := strings.IndexByte(string(src[r.End.Byte:]), '\n'); i >= 0 {
		endLineEnd = r.End.Byte + i
	}
	if r.End.Byte > 0 && r.End.Byte <= len(src) && r.End.Byte > r.Start.Byte && src[r.End.Byte-1] == '\n' {
		endLineEnd = r.End.Byte - 1
	}
	if endLineEnd < lineStart {
		endLineEnd = lineStart
	}
	code := string(src[lineStart:endLineEnd])
	s := &jsonSnippet{
		Code:                 code,
		StartLine:            r.Start.Line,
		HighlightStartOffset: r.Start.Byte - lineStart,
		HighlightEndOffset:   min(r.End.Byte-lineStart, len(code)),
		Values:               []any{},
	}
	if d.Context != nil {
		ctxs := contextOf(f, *d.Context)
		s.Context = ctxs
	}
	return s
}

func contextOf(f *hcl.File, r hcl.Range) *string {
	src := f.Bytes
	if r.Start.Byte >= len(src) {
		return nil
	}
	line := src[r.Start.Byte:]
	if i := strings.IndexByte(string(line), '\n'); i >= 0 {
		line = line[:i]
	}
	s := strings.TrimSpace(string(line))
	return &s
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
