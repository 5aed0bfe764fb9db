package plan

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"net/url"
	"strings"

	"github.com/cardflow/cardflow/engine/config"
	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/lang"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"golang.org/x/tools/txtar"
)

// Names of the files a snapshot holds beside the sources.
const (
	snapshotVars = "cardflow:vars.json"
	snapshotPins = "cardflow:pins.json"
)

// Snapshot is a stored definition: what an execution pinned to it needs to
// be compiled again by a later process.
type Snapshot struct {
	// Sources are the flow files by name.
	Sources map[string][]byte
	// Vars are the non-sensitive variable values, by name.
	Vars map[string]json.RawMessage
	// Pins are the digests of the connections' pinning arguments, by
	// connection address and argument name (Connection.Pins). They are nil
	// in a snapshot written before cardflow recorded them: the definition
	// hashes of that time covered every connection argument, secrets
	// included (see LegacyHash).
	Pins map[string]map[string]string
}

// snapshot archives the sources, the non-sensitive variable values and the
// connections' pins.
func snapshot(cfg *config.Config, gen *Generation) ([]byte, error) {
	ar := &txtar.Archive{}
	for _, name := range connector.SortedKeys(cfg.Sources) {
		ar.Files = append(ar.Files, txtar.File{Name: name, Data: cfg.Sources[name]})
	}
	vals, err := plainVars(gen.Vars)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(vals)
	if err != nil {
		return nil, err
	}
	ar.Files = append(ar.Files, txtar.File{Name: snapshotVars, Data: b})
	pins := map[string]map[string]string{}
	for addr, c := range gen.Connections {
		pins[addr] = c.Pins
	}
	if b, err = json.Marshal(pins); err != nil {
		return nil, err
	}
	ar.Files = append(ar.Files, txtar.File{Name: snapshotPins, Data: b})
	return txtar.Format(ar), nil
}

// plainVars returns the variable values that may be stored: sensitive ones
// are left out and re-read from the environment when a snapshot is loaded.
func plainVars(vars cty.Value) (map[string]any, error) {
	out := map[string]any{}
	if vars == cty.NilVal || !vars.Type().IsObjectType() {
		return out, nil
	}
	for name := range vars.Type().AttributeTypes() {
		v := vars.GetAttr(name)
		if v.HasMark(lang.Sensitive) || !v.IsWhollyKnown() {
			continue
		}
		g, err := connector.ToGo(v)
		if err != nil {
			return nil, fmt.Errorf("variable %s: %w", name, err)
		}
		out[name] = g
	}
	return out, nil
}

// ReadSnapshot reads a stored definition.
func ReadSnapshot(data []byte) (*Snapshot, error) {
	ar := txtar.Parse(data)
	s := &Snapshot{Sources: map[string][]byte{}}
	for _, f := range ar.Files {
		switch f.Name {
		case snapshotVars:
			if err := json.Unmarshal(f.Data, &s.Vars); err != nil {
				return nil, fmt.Errorf("snapshot variables: %w", err)
			}
		case snapshotPins:
			if err := json.Unmarshal(f.Data, &s.Pins); err != nil {
				return nil, fmt.Errorf("snapshot pins: %w", err)
			}
			if s.Pins == nil {
				s.Pins = map[string]map[string]string{}
			}
		default:
			s.Sources[f.Name] = f.Data
		}
	}
	return s, nil
}

// flowHash identifies what a flow does: its block, the blocks of the
// connections it uses with the digests of their pinning arguments (never
// their secrets: rotating a token must not orphan an execution), the
// tables, and the non-sensitive variable values.
func flowHash(cfg *config.Config, f *Flow, vars cty.Value) string {
	h := sha256.New()
	h.Write([]byte("definition/2\x00"))
	writeDefinition(h, cfg, f, vars, func(c *Connection) {
		for _, name := range connector.SortedKeys(c.Pins) {
			fmt.Fprintf(h, "pin\x00%s\x00%s\x00", name, c.Pins[name])
		}
	})
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// LegacyHash is the definition hash cardflow gave f before version 2 of
// the hash: it covered every argument of the connections, secrets
// included, so a rotated token changed it. Executions pinned by those
// versions carry such hashes; the engine recognises them with this.
func LegacyHash(f *Flow) string {
	h := sha256.New()
	writeDefinition(h, f.Gen.Config, f, f.Gen.Vars, func(c *Connection) {
		fmt.Fprintf(h, "%s\x00", c.Hash)
	})
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// writeDefinition writes what both hashes cover to h; conn writes what
// each connection the flow uses adds.
func writeDefinition(h hash.Hash, cfg *config.Config, f *Flow, vars cty.Value, conn func(*Connection)) {
	write := func(label string, rng hcl.Range) {
		src := cfg.Sources[rng.Filename]
		if rng.End.Byte <= len(src) && rng.Start.Byte <= rng.End.Byte {
			fmt.Fprintf(h, "%s\x00%s\x00", label, src[rng.Start.Byte:rng.End.Byte])
		}
	}
	write("flow", f.Decl.Range)
	for _, addr := range f.ConnectionAddrs() {
		if c, ok := cfg.Connections[addr]; ok {
			write("connection", c.DeclRange)
			conn(f.Gen.Connections[addr])
		}
	}
	for _, name := range connector.SortedKeys(cfg.Tables) {
		write("table", cfg.Tables[name].DeclRange)
		fmt.Fprintf(h, "%s\x00", cfg.Tables[name].RowType().GoString())
	}
	plain, _ := plainVars(vars)
	for _, k := range connector.SortedKeys(plain) {
		b, _ := json.Marshal(plain[k])
		fmt.Fprintf(h, "var\x00%s\x00%s\x00", k, b)
	}
}

// ConnectionAddrs returns the addresses of the connections f's trigger
// and cards use, sorted.
func (f *Flow) ConnectionAddrs() []string {
	conns := map[string]bool{}
	if f.Trigger != nil && f.Trigger.Connection != "" {
		conns[f.Trigger.Connection] = true
	}
	for _, c := range f.Cards {
		if c.Connection != "" {
			conns[c.Connection] = true
		}
	}
	return connector.SortedKeys(conns)
}

// valueHash identifies a connection's settings, secrets included, without
// revealing them: a client is reused while it is unchanged.
func valueHash(addr string, v cty.Value) string {
	h := sha256.New()
	h.Write([]byte(addr))
	plain, _ := v.UnmarkDeep()
	if plain.IsWhollyKnown() {
		if g, err := connector.ToGo(plain); err == nil {
			b, _ := json.Marshal(g)
			h.Write(b)
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// pinDigests returns the digests of the pinning arguments of a connection
// (connector.Attribute.Pins) by name: "" for a value not known yet (an
// unset env() in validate). A sensitive value never pins, whatever its
// argument.
func pinDigests(schema connector.Schema, v cty.Value) map[string]string {
	out := map[string]string{}
	if v == cty.NilVal || !v.Type().IsObjectType() {
		return out
	}
	for _, a := range schema {
		if !a.Pins || a.Sensitive || !v.Type().HasAttribute(a.Name) {
			continue
		}
		av := v.GetAttr(a.Name)
		if av.ContainsMarked() {
			continue
		}
		if !av.IsWhollyKnown() {
			out[a.Name] = ""
			continue
		}
		g, err := connector.ToGo(av)
		if err != nil {
			continue
		}
		if s, ok := g.(string); ok {
			g = canonicalURL(s)
		}
		b, _ := json.Marshal(g)
		sum := sha256.Sum256(b)
		out[a.Name] = hex.EncodeToString(sum[:])[:16]
	}
	return out
}

// canonicalURL spells a URL-valued pin so that spellings of the same
// tenant pin alike: scheme and host in lower case, no trailing slash, and
// no user information (a credential, which may be rotated). Other strings
// are returned as they are.
func canonicalURL(s string) string {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || u.Scheme == "" || u.Host == "" {
		return s
	}
	u.Scheme, u.Host, u.User = strings.ToLower(u.Scheme), strings.ToLower(u.Host), nil
	u.Path, u.RawPath = strings.TrimRight(u.Path, "/"), ""
	return u.String()
}
