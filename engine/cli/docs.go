package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/spf13/cobra"
	"github.com/zclconf/go-cty/cty"
)

func init() {
	extraCommands = append(extraCommands, func(f *Factory) *cobra.Command { return NewCmdDocs(f) })
}

// NewCmdDocs returns `cardflow docs`: the reference of every connector's
// connection, triggers and actions, from the schemas validate uses.
func NewCmdDocs(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "docs [CONNECTOR...]",
		Short: "Print the reference of connectors, triggers and actions (Markdown)",
		RunE: func(cmd *cobra.Command, args []string) error {
			names := args
			if len(names) == 0 {
				names = f.Registry.Names()
			}
			for _, n := range names {
				c, ok := f.Registry.Connector(n)
				if !ok {
					return exit(ExitUsage, fmt.Errorf("there is no connector %q", n))
				}
				writeConnectorDocs(f.IO.Out, c)
			}
			return nil
		},
	}
}

func writeConnectorDocs(w io.Writer, c *connector.Connector) {
	fmt.Fprintf(w, "### %s\n\n%s\n\n", c.Name, c.Doc)
	if c.HasConnection() {
		fmt.Fprintf(w, "**connection \"%s\" \"<name>\"**\n\n", c.Name)
		writeSchema(w, c.Connection)
	}
	for _, t := range c.Triggers {
		fmt.Fprintf(w, "**trigger \"%s.%s\"** — %s\n\n", c.Name, t.Name, t.Doc)
		if len(t.Config) > 0 {
			writeSchema(w, t.Config)
		}
		fmt.Fprintf(w, "`trigger` = %s\n\n", typeString(t.Output))
	}
	for _, a := range c.Actions {
		fmt.Fprintf(w, "**%s.%s** (%s) — %s\n\n", c.Name, a.Name, effectName(a.Effect), a.Doc)
		if len(a.Input) > 0 {
			writeSchema(w, a.Input)
		}
		fmt.Fprintf(w, "output: %s\n\n", typeString(a.Output))
	}
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
