package lang

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPredicateComparisons(t *testing.T) {
	attrs := []string{"record", "operation"}
	tests := []struct {
		src  string
		want []string
	}{
		{`record.state == "Resolved"`, []string{"record.state=Resolved"}},
		{`"6" != trigger.record.state && operation == 'updated'`, []string{"record.state=6", "operation=updated"}},
		{`trigger.record.state in ["Resolved", "7"] || record.impact not in ['High']`, []string{"record.state=Resolved", "record.state=7", "record.impact=High"}},
		{`record["state"] == "6"`, []string{"record.state=6"}},
		{`card.read.status == "ACTIVE" || var.x == "y" || record.state == other.state`, []string{"card:read.status=ACTIVE"}},
		{`card.groups["VPN Users"].changed == "true" || card == "x"`, []string{"card:groups.VPN Users.changed=true"}},
		{`record.state == 6 || lower(record.state) == "resolved" || record.state matches "Res.*"`, nil},
		{`record.state ==`, nil},
	}
	for _, tt := range tests {
		var got []string
		for _, c := range PredicateComparisons(tt.src, attrs) {
			p := strings.Join(c.Path, ".") + "=" + c.Literal
			if c.Root != "trigger" {
				p = c.Root + ":" + p
			}
			got = append(got, p)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("PredicateComparisons(%q) (-want +got):\n%s", tt.src, diff)
		}
	}
}
