package plan

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/cardflow/cardflow/engine/config"
	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/lang"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"golang.org/x/tools/txtar"
)

// snapshotVars is the name of the variable values inside a snapshot.
const snapshotVars = "cardflow:vars.json"

// snapshot archives the sources and the non-sensitive variable values.
func snapshot(cfg *config.Config, vars cty.Value) ([]byte, error) {
	ar := &txtar.Archive{}
	for _, name := range sortedKeys(cfg.Sources) {
		ar.Files = append(ar.Files, txtar.File{Name: name, Data: cfg.Sources[name]})
	}
	vals, err := plainVars(vars)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(vals)
	if err != nil {
		return nil, err
	}
	ar.Files = append(ar.Files, txtar.File{Name: snapshotVars, Data: b})
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

// ReadSnapshot splits a snapshot into sources and variable values.
func ReadSnapshot(data []byte) (map[string][]byte, map[string]json.RawMessage, error) {
	ar := txtar.Parse(data)
	srcs := map[string][]byte{}
	var vars map[string]json.RawMessage
	for _, f := range ar.Files {
		if f.Name == snapshotVars {
			if err := json.Unmarshal(f.Data, &vars); err != nil {
				return nil, nil, fmt.Errorf("snapshot variables: %w", err)
			}
			continue
		}
		srcs[f.Name] = f.Data
	}
	return srcs, vars, nil
}

// flowHash identifies what a flow does: its block, the connections and
// tables it uses, and the variable values.
func flowHash(cfg *config.Config, f *Flow, vars cty.Value) string {
	h := sha256.New()
	write := func(label string, rng hcl.Range) {
		src := cfg.Sources[rng.Filename]
		if rng.End.Byte <= len(src) && rng.Start.Byte <= rng.End.Byte {
			fmt.Fprintf(h, "%s\x00%s\x00", label, src[rng.Start.Byte:rng.End.Byte])
		}
	}
	write("flow", f.Decl.Range)
	conns := map[string]bool{}
	if f.Trigger != nil && f.Trigger.Connection != "" {
		conns[f.Trigger.Connection] = true
	}
	for _, c := range f.Cards {
		if c.Connection != "" {
			conns[c.Connection] = true
		}
	}
	for _, addr := range sortedKeys(conns) {
		if c, ok := cfg.Connections[addr]; ok {
			write("connection", c.DeclRange)
			fmt.Fprintf(h, "%s\x00", f.Gen.Connections[addr].Hash)
		}
	}
	for _, name := range sortedKeys(cfg.Tables) {
		write("table", cfg.Tables[name].DeclRange)
		fmt.Fprintf(h, "%s\x00", cfg.Tables[name].RowType().GoString())
	}
	plain, _ := plainVars(vars)
	keys := make([]string, 0, len(plain))
	for k := range plain {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		b, _ := json.Marshal(plain[k])
		fmt.Fprintf(h, "var\x00%s\x00%s\x00", k, b)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// valueHash identifies a connection's settings, secrets included, without
// revealing them.
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
