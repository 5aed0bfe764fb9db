package importer

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2/hclwrite"
)

type tableOut struct {
	name    string
	src     *Table
	columns []Column
	key     string
}

type connOut struct {
	module, name string
	env          string // the environment variables' prefix: OKTA, OKTA_SANDBOX
	eventHook    bool
}

func (im *importState) addTable(t *Table) {
	to := &tableOut{name: im.tableName.unique(snake(t.Name)), src: t, columns: t.Columns}
	if len(to.columns) == 0 {
		to.columns = []Column{{Name: "id", Type: "str"}}
	}
	to.key = to.columns[0].Name
	im.tables[t.ID] = to
}

// connection returns the connection address for a card's config, adding
// the connection on first use.
func (im *importState) connection(module, configID string) string {
	key := module + "/" + configID
	if c := im.conns[key]; c != nil {
		return "connection." + module + "." + c.name
	}
	n := im.connName[module]
	if n == nil {
		n = namer{}
		im.connName[module] = n
	}
	name := "main"
	if cfg := im.pack.Configs[configID]; cfg != nil && len(n) > 0 {
		name = snake(cfg.Name)
	}
	c := &connOut{module: module, name: n.unique(name)}
	c.env = strings.ToUpper(module)
	if c.name != "main" {
		c.env += "_" + strings.ToUpper(c.name)
	}
	im.conns[key] = c
	return "connection." + module + "." + c.name
}

func (im *importState) result() (*Result, error) {
	res := &Result{Files: map[string][]byte{}, Report: im.report}
	for _, fo := range im.flows {
		res.Files[fo.name+".hcl"] = hclwrite.Format([]byte(fo.render()))
	}
	if len(im.tables) > 0 {
		res.Files["tables.hcl"] = hclwrite.Format([]byte(im.renderTables()))
	}
	if len(im.conns) > 0 {
		res.Files["connections.hcl"] = hclwrite.Format([]byte(im.renderConnections()))
	}
	sort.SliceStable(im.report.Flows, func(i, j int) bool { return im.report.Flows[i].Name < im.report.Flows[j].Name })
	return res, nil
}

func comment(b *strings.Builder, indent, text string) {
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		line = strings.TrimRight(line, " \t\r")
		if line == "" {
			b.WriteString(indent + "#\n")
			continue
		}
		b.WriteString(indent + "# " + line + "\n")
	}
}

func (fo *flowOut) render() string {
	var b strings.Builder
	if fo.parent != "" {
		comment(&b, "", fmt.Sprintf("Imported from Okta Workflows: a part of the flow %q, cut out as a helper flow.", fo.parent))
	} else {
		comment(&b, "", fmt.Sprintf("Imported from Okta Workflows: the flow %q.", fo.src.Name))
	}
	fmt.Fprintf(&b, "flow %q {\n", fo.name)
	if d := strings.TrimSpace(fo.src.Description); d != "" {
		fmt.Fprintf(&b, "description = %s\n", literal(d))
	}
	fo.trigger.write(&b)
	for _, c := range fo.cards {
		b.WriteString("\n")
		c.write(&b)
	}
	if len(fo.comments) > 0 {
		b.WriteString("\n")
		for _, c := range fo.comments {
			comment(&b, "", c)
		}
	}
	b.WriteString("}\n")
	return b.String()
}

func (bl *block) write(b *strings.Builder) {
	for _, c := range bl.comments {
		comment(b, "", c)
	}
	fmt.Fprintf(b, "%s %q {\n", bl.kind, bl.label)
	for i, a := range bl.attrs {
		fmt.Fprintf(b, "%s = %s\n", a.name, a.expr)
		if i == 0 && bl.cond != "" {
			fmt.Fprintf(b, "if = %s\n", literal(bl.cond))
		}
	}
	b.WriteString("}\n")
}

var columnTypes = map[string]string{"str": "string", "num": "number", "dec": "number", "bool": "bool", "bln": "bool", "dte": "string"}

// columnDefault returns a column's default as an HCL literal of the
// column's type, "" when it has none.
func columnDefault(c Column) string {
	if isEmptyLiteral(c.Default) {
		return ""
	}
	s, isStr := c.Default.(string)
	switch columnTypes[c.Type] {
	case "bool":
		if b, err := strconv.ParseBool(s); isStr && err == nil {
			return strconv.FormatBool(b)
		}
	case "number":
		if f, err := strconv.ParseFloat(strings.TrimSpace(s), 64); isStr && err == nil {
			return literal(f)
		}
	}
	return literal(c.Default)
}

func (im *importState) renderTables() string {
	var b strings.Builder
	comment(&b, "", "Flow tables imported from Okta Workflows. Okta Workflows keys rows by a generated row id; cardflow keys them by a column: the first column is the key here, check that it is unique.")
	tables := make([]*tableOut, 0, len(im.tables))
	for _, t := range im.tables {
		tables = append(tables, t)
	}
	sort.Slice(tables, func(i, j int) bool { return tables[i].name < tables[j].name })
	for _, t := range tables {
		fmt.Fprintf(&b, "\n")
		comment(&b, "", fmt.Sprintf("Okta Workflows table %q.", t.src.Name))
		fmt.Fprintf(&b, "table %q {\ncolumns = {\n", t.name)
		for _, c := range t.columns {
			ty := columnTypes[c.Type]
			if ty == "" {
				ty = "string"
			}
			key := c.Name
			if !isIdent(key) {
				key = fmt.Sprintf("%q", key)
			}
			var notes []string
			if c.Type == "dte" {
				notes = append(notes, "a date (RFC 3339 text)")
			}
			if d := columnDefault(c); d != "" {
				notes = append(notes, "default "+d+": the imported Create Row cards set it")
			}
			if len(notes) > 0 {
				fmt.Fprintf(&b, "%s = %s # %s\n", key, ty, strings.Join(notes, "; "))
			} else {
				fmt.Fprintf(&b, "%s = %s\n", key, ty)
			}
		}
		fmt.Fprintf(&b, "}\nkey = %q\n}\n", t.key)
	}
	return b.String()
}

func (im *importState) renderConnections() string {
	var b strings.Builder
	comment(&b, "", "Connections the imported flows use. Every URL and secret comes from the environment: set these variables before `cardflow run`.")
	conns := make([]*connOut, 0, len(im.conns))
	for _, c := range im.conns {
		conns = append(conns, c)
	}
	sort.Slice(conns, func(i, j int) bool { return conns[i].module+conns[i].name < conns[j].module+conns[j].name })
	for _, c := range conns {
		fmt.Fprintf(&b, "\nconnection %q %q {\n", c.module, c.name)
		switch c.module {
		case "okta":
			fmt.Fprintf(&b, "org_url = env(%q)\ntoken = env(%q)\n", c.env+"_ORG_URL", c.env+"_API_TOKEN")
			if c.eventHook {
				fmt.Fprintf(&b, "event_hook_secret = env(%q)\n", c.env+"_EVENT_HOOK_SECRET")
			}
		case "servicenow":
			fmt.Fprintf(&b, "instance_url = env(%q)\nusername = env(%q)\npassword = env(%q)\n", c.env+"_INSTANCE_URL", c.env+"_USERNAME", c.env+"_PASSWORD")
		}
		b.WriteString("}\n")
	}
	return b.String()
}
