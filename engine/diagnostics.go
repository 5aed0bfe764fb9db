package engine

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// diagnosticLines renders the diagnostics of severity sev of a reload: the
// errors of a rejected one for the health detail (withDetail false) and
// the log, the warnings of an accepted one for the log. One line each,
// FILE:LINE:COLUMN and the summary, then the detail for the log. Never the
// snippet of the source that `cardflow validate` prints: the line of a
// flow file may hold a secret pasted by mistake, and the health detail is
// read by monitoring with the least of roles.
func diagnosticLines(diags hcl.Diagnostics, sev hcl.DiagnosticSeverity, withDetail bool) string {
	var b strings.Builder
	for _, d := range diags {
		if d.Severity != sev {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		if r := d.Subject; r != nil {
			fmt.Fprintf(&b, "%s:%d:%d: ", r.Filename, r.Start.Line, r.Start.Column)
		}
		b.WriteString(d.Summary)
		if withDetail && d.Detail != "" {
			b.WriteString(": ")
			b.WriteString(strings.ReplaceAll(d.Detail, "\n", " "))
		}
	}
	return b.String()
}
