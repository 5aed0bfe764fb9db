package flowmutate

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// Mutation is one identifier of one file, misspelt.
type Mutation struct {
	File   string // path relative to the directory
	Line   int    // 1-based line of the identifier
	Column int    // 1-based column of the identifier
	Offset int    // byte offset of the identifier in the file
	From   string // the identifier as written
	To     string // the misspelling
	// Owner is the argument whose object constructor holds the identifier
	// (fields in `fields = { short_description = … }`), or "".
	Owner string
	// After is the identifier before the dot that precedes this one
	// (record in `trigger.record.sys_id`), or "".
	After string
}

func (m Mutation) String() string {
	return fmt.Sprintf("%s:%d:%d %s→%s", m.File, m.Line, m.Column, m.From, m.To)
}

// Identifiers returns one mutation for every identifier token of every
// .hcl file under dir, in file order: block types, argument names,
// references, function names, object keys and the keywords true, false
// and null. HCL's own lexer finds them, inside templates and heredocs too.
func Identifiers(dir string) ([]Mutation, error) {
	var muts []Mutation
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".hcl" {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		toks, diags := hclsyntax.LexConfig(src, rel, hcl.InitialPos)
		if diags.HasErrors() {
			return fmt.Errorf("%s: %s", rel, diags.Error())
		}
		muts = append(muts, identifiers(filepath.ToSlash(rel), toks)...)
		return nil
	})
	return muts, err
}

func identifiers(file string, toks hclsyntax.Tokens) []Mutation {
	var muts []Mutation
	var owners []string // one per open brace
	for i, tok := range toks {
		switch tok.Type {
		case hclsyntax.TokenOBrace:
			owner := ""
			if i >= 2 && toks[i-1].Type == hclsyntax.TokenEqual && toks[i-2].Type == hclsyntax.TokenIdent {
				owner = string(toks[i-2].Bytes)
			}
			owners = append(owners, owner)
		case hclsyntax.TokenCBrace:
			if len(owners) > 0 {
				owners = owners[:len(owners)-1]
			}
		case hclsyntax.TokenIdent:
			from := string(tok.Bytes)
			m := Mutation{
				File: file, Line: tok.Range.Start.Line, Column: tok.Range.Start.Column,
				Offset: tok.Range.Start.Byte, From: from, To: Misspell(from),
			}
			if len(owners) > 0 {
				m.Owner = owners[len(owners)-1]
			}
			if i >= 2 && toks[i-1].Type == hclsyntax.TokenDot && toks[i-2].Type == hclsyntax.TokenIdent {
				m.After = string(toks[i-2].Bytes)
			}
			muts = append(muts, m)
		}
	}
	return muts
}

// Misspell returns a plausible typo of an identifier: the next-to-last
// letter dropped (read_user → read_usr), or, for names too short to lose
// a letter, an x appended (id → idx).
func Misspell(name string) string {
	if len(name) < 4 {
		return name + "x"
	}
	return name[:len(name)-2] + name[len(name)-1:]
}

// Copy copies the .hcl files and the testdata of src into dst, which must
// exist, with m applied.
func (m Mutation) Copy(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if filepath.ToSlash(rel) == m.File {
			if b, err = m.apply(b); err != nil {
				return err
			}
		}
		return os.WriteFile(target, b, 0o644)
	})
}

func (m Mutation) apply(b []byte) ([]byte, error) {
	end := m.Offset + len(m.From)
	if end > len(b) || string(b[m.Offset:end]) != m.From {
		return nil, fmt.Errorf("%s: %q is not at byte %d", m.File, m.From, m.Offset)
	}
	return slices.Concat(b[:m.Offset], []byte(m.To), b[end:]), nil
}

// Sample returns every nth mutation, starting with the first, and every
// mutation whose From is one of always: a small, stable set for slower
// drivers such as the built binary.
func Sample(muts []Mutation, n int, always ...string) []Mutation {
	var out []Mutation
	for i, m := range muts {
		if i%n == 0 || slices.Contains(always, m.From) {
			out = append(out, m)
		}
	}
	return out
}

// Key is a stable name for m, for subtests and allowlists:
// file:line:identifier.
func (m Mutation) Key() string {
	return fmt.Sprintf("%s:%d:%s", strings.TrimSuffix(m.File, ".hcl"), m.Line, m.From)
}

// ServiceNowField reports whether m renames a field of a ServiceNow
// record: a key of a record or fields map, or a field read from a record.
// Records are maps of the instance's columns (custom u_ columns
// included), which validate, doing no I/O, does not know: a misspelt
// field is a valid flow that reads an empty value or writes a column the
// instance ignores. Tests check these mutations only for panics.
func (m Mutation) ServiceNowField() bool {
	return m.Owner == "record" || m.Owner == "fields" || m.After == "record"
}
