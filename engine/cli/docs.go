package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/internal/didyoumean"
	"github.com/spf13/cobra"
	"github.com/zclconf/go-cty/cty"
)

// NewCmdDocs returns `cardflow docs`: the reference of every connector's
// connection, triggers and actions, from the schemas validate uses, or of
// the connectors, actions and triggers named.
func NewCmdDocs(f *Factory, runF func(*DocsOptions) error) *cobra.Command {
	opts := &DocsOptions{IO: f.IO, Registry: f.Registry}
	return &cobra.Command{
		Use:   "docs [CONNECTOR | CONNECTOR.ACTION | CONNECTOR.TRIGGER ...]",
		Short: "Print the reference of connectors, triggers and actions (Markdown)",
		Example: `  # Everything: every connector's connection, triggers and actions
  cardflow docs

  # One connector
  cardflow docs servicenow

  # One action or trigger: its arguments and output
  cardflow docs okta.read_user
  cardflow docs okta.event_hook`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Names = args
			if runF != nil {
				return runF(opts)
			}
			return docsRun(opts)
		},
	}
}

// DocsOptions are the inputs of cardflow docs.
type DocsOptions struct {
	IO       *IOStreams
	Registry *connector.Registry
	// Names are connectors, CONNECTOR.ACTION or CONNECTOR.TRIGGER; none
	// means every connector.
	Names []string
}

func docsRun(opts *DocsOptions) error {
	names := opts.Names
	if len(names) == 0 {
		names = opts.Registry.Names()
	}
	for _, n := range names {
		if err := writeDocsOf(opts.IO.Out, opts.Registry, n); err != nil {
			return err
		}
	}
	return nil
}

// writeDocsOf writes the reference of a connector, or of one action or
// trigger when name has a dot.
func writeDocsOf(w io.Writer, reg *connector.Registry, name string) error {
	if !strings.Contains(name, ".") {
		c, ok := reg.Connector(name)
		if !ok {
			return exit(ExitUsage, fmt.Errorf("there is no connector %q.%s", name, didyoumean.Hint(name, reg.Names())))
		}
		writeConnectorDocs(w, c)
		return nil
	}
	if c, a, err := reg.Action(name); err == nil {
		writeActionDocs(w, c, a)
		return nil
	}
	if c, t, err := reg.Trigger(name); err == nil {
		writeTriggerDocs(w, c, t)
		return nil
	}
	return exit(ExitUsage, fmt.Errorf("there is no action or trigger %q.%s", name,
		didyoumean.Hint(name, append(reg.ActionNames(), reg.TriggerNames()...))))
}

func writeConnectorDocs(w io.Writer, c *connector.Connector) {
	fmt.Fprintf(w, "### %s\n\n%s\n\n", c.Name, c.Doc)
	if c.HasConnection() {
		fmt.Fprintf(w, "**connection \"%s\" \"<name>\"**\n\n", c.Name)
		writeSchema(w, c.Connection)
	}
	for _, t := range c.Triggers {
		writeTriggerDocs(w, c, t)
	}
	for _, a := range c.Actions {
		writeActionDocs(w, c, a)
	}
}

func writeTriggerDocs(w io.Writer, c *connector.Connector, t *connector.Trigger) {
	fmt.Fprintf(w, "**trigger \"%s.%s\"** — %s\n\n", c.Name, t.Name, t.Doc)
	if len(t.Config) > 0 {
		writeSchema(w, t.Config)
	}
	fmt.Fprintf(w, "`trigger` = %s\n\n", typeString(t.Output))
}

func writeActionDocs(w io.Writer, c *connector.Connector, a *connector.Action) {
	fmt.Fprintf(w, "**%s.%s** (%s) — %s\n\n", c.Name, a.Name, effectName(a.Effect), a.Doc)
	if len(a.Input) > 0 {
		writeSchema(w, a.Input)
	}
	fmt.Fprintf(w, "output: %s\n\n", typeString(a.Output))
}

func writeSchema(w io.Writer, s connector.Schema) {
	fmt.Fprintln(w, "| argument | type | | description |")
	fmt.Fprintln(w, "|---|---|---|---|")
	for _, a := range s {
		var notes []string
		if a.Required {
			notes = append(notes, "required")
		}
		if a.Sensitive {
			notes = append(notes, "sensitive")
		}
		if a.Default != cty.NilVal && !a.Default.IsNull() {
			notes = append(notes, "default "+valueString(a.Default))
		}
		fmt.Fprintf(w, "| `%s` | %s | %s | %s |\n", a.Name, typeString(a.Type), strings.Join(notes, ", "), strings.ReplaceAll(a.Doc, "|", "\\|"))
	}
	fmt.Fprintln(w)
}

func effectName(e connector.Effect) string {
	switch e {
	case connector.Write:
		return "write"
	case connector.Pure:
		return "function"
	}
	return "read"
}

func typeString(ty cty.Type) string {
	switch {
	case ty == cty.DynamicPseudoType:
		return "any"
	case ty.IsObjectType():
		atys := ty.AttributeTypes()
		names := connector.SortedKeys(atys)
		parts := make([]string, len(names))
		for i, n := range names {
			parts[i] = n
			if inner := atys[n]; inner.IsPrimitiveType() || inner == cty.DynamicPseudoType {
				continue
			}
			parts[i] = n + ": " + typeString(atys[n])
		}
		return "{ " + strings.Join(parts, ", ") + " }"
	case ty.IsListType():
		return "list(" + typeString(ty.ElementType()) + ")"
	case ty.IsMapType():
		return "map(" + typeString(ty.ElementType()) + ")"
	case ty.IsSetType():
		return "set(" + typeString(ty.ElementType()) + ")"
	}
	return ty.FriendlyName()
}

func valueString(v cty.Value) string {
	g, err := connector.ToGo(v)
	if err != nil {
		return "?"
	}
	switch x := g.(type) {
	case string:
		return fmt.Sprintf("%q", x)
	default:
		return fmt.Sprint(x)
	}
}
