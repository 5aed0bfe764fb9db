package migration

import (
	"strings"
	"testing"
)

// TestCheck: a schema newer than the build's migrations is refused by
// every opener; an older one only by a reader that migrates nothing.
func TestCheck(t *testing.T) {
	ms := []Migration{{Version: 1}, {Version: 2}, {Version: 4}}
	for _, c := range []struct {
		version int
		exact   bool
		want    string // "" for no error
	}{
		{4, false, ""},
		{4, true, ""},
		{2, false, ""},
		{2, true, "older than this build reads (4)"},
		{5, false, "newer than this build knows (4)"},
		{5, true, "newer than this build knows (4)"},
		{0, false, ""},
	} {
		err := Check(c.version, ms, c.exact)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("Check(%d, exact %v) = %v, want nil", c.version, c.exact, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("Check(%d, exact %v) = %v, want %q", c.version, c.exact, err, c.want)
		}
	}
	if err := Check(1, nil, false); err == nil {
		t.Error("Check of version 1 against no migrations passed")
	}
}
