package cli

import (
	"bytes"
	"strings"
	"testing"
)

// TestRunLogFormat: run logs text to a terminal and JSON elsewhere, unless
// --log-format says which.
func TestRunLogFormat(t *testing.T) {
	tests := []struct {
		format string
		tty    bool
		json   bool
	}{
		{"", false, true},
		{"", true, false},
		{"text", false, false},
		{"json", true, true},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		log := newLogger(&IOStreams{ErrOut: &buf, ttyErr: tt.tty}, "info", tt.format)
		log.Info("flows loaded", "flows", 3)
		got := buf.String()
		isJSON := strings.HasPrefix(got, "{") && strings.Contains(got, `"msg":"flows loaded"`)
		isText := strings.Contains(got, `level=INFO msg="flows loaded" flows=3`)
		if isJSON != tt.json || isText == tt.json {
			t.Errorf("format %q, terminal %v: %q", tt.format, tt.tty, got)
		}
	}
	var out, errOut bytes.Buffer
	code := Main(&Factory{IO: &IOStreams{Out: &out, ErrOut: &errOut}}, []string{"run", "--log-format", "yaml"})
	if code != ExitUsage || !strings.Contains(errOut.String(), "--log-format is text or json") {
		t.Errorf("--log-format yaml: exit %d, %s", code, errOut.String())
	}
}
