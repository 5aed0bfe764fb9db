package cli_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/cardflow/cardflow/connectors/core"
	"github.com/cardflow/cardflow/connectors/okta"
	"github.com/cardflow/cardflow/connectors/servicenow"
	"github.com/cardflow/cardflow/engine/cli"
	"github.com/cardflow/cardflow/engine/connector"
	"github.com/spf13/cobra"
)

// TestEveryCommandHasExamples walks the command tree: every command's
// --help shows an Examples section.
func TestEveryCommandHasExamples(t *testing.T) {
	reg := connector.NewRegistry(append(core.Connectors(), okta.New(), servicenow.New())...)
	root := cli.NewCmdRoot(&cli.Factory{IO: &cli.IOStreams{}, Registry: reg})
	var walk func(c *cobra.Command)
	n := 0
	walk = func(c *cobra.Command) {
		n++
		if strings.TrimSpace(c.Example) == "" {
			t.Errorf("%q has no Example", c.CommandPath())
		}
		var out bytes.Buffer
		c.SetOut(&out)
		if err := c.Help(); err != nil || !strings.Contains(out.String(), "\nExamples:\n") {
			t.Errorf("%q --help has no Examples section (err %v):\n%s", c.CommandPath(), err, out.String())
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	if n < 12 {
		t.Errorf("walked %d commands; the tree is missing some", n)
	}
}
