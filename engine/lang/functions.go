package lang

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// Mode says how strict evaluation is about the outside world.
type Mode uint8

// Evaluation modes.
const (
	// Check evaluates for validate: an unset env() is unknown (a warning is
	// reported separately), file() reads files.
	Check Mode = iota
	// Live evaluates for run: an unset env() is an error.
	Live
)

// Host is how env() and file() reach the outside world.
type Host struct {
	LookupEnv func(string) (string, bool)
	// Dir resolves relative file() paths.
	Dir string
	// Now is the clock of timestamp(); nil is time.Now.
	Now func() time.Time
}

// DefaultHost reads the process environment and the working directory.
func DefaultHost() Host { return Host{LookupEnv: os.LookupEnv} }

// Functions returns the functions available in flow expressions.
func Functions(mode Mode, host Host) map[string]function.Function {
	if host.LookupEnv == nil {
		host.LookupEnv = os.LookupEnv
	}
	fns := map[string]function.Function{
		"abs":             stdlib.AbsoluteFunc,
		"ceil":            stdlib.CeilFunc,
		"chomp":           stdlib.ChompFunc,
		"chunklist":       stdlib.ChunklistFunc,
		"coalesce":        stdlib.CoalesceFunc,
		"coalescelist":    stdlib.CoalesceListFunc,
		"compact":         stdlib.CompactFunc,
		"concat":          stdlib.ConcatFunc,
		"contains":        stdlib.ContainsFunc,
		"csvdecode":       stdlib.CSVDecodeFunc,
		"distinct":        stdlib.DistinctFunc,
		"element":         stdlib.ElementFunc,
		"flatten":         stdlib.FlattenFunc,
		"floor":           stdlib.FloorFunc,
		"format":          stdlib.FormatFunc,
		"formatdate":      stdlib.FormatDateFunc,
		"formatlist":      stdlib.FormatListFunc,
		"indent":          stdlib.IndentFunc,
		"index":           stdlib.IndexFunc,
		"join":            stdlib.JoinFunc,
		"jsondecode":      stdlib.JSONDecodeFunc,
		"jsonencode":      stdlib.JSONEncodeFunc,
		"keys":            stdlib.KeysFunc,
		"length":          stdlib.LengthFunc,
		"lookup":          stdlib.LookupFunc,
		"lower":           stdlib.LowerFunc,
		"max":             stdlib.MaxFunc,
		"merge":           stdlib.MergeFunc,
		"min":             stdlib.MinFunc,
		"parseint":        stdlib.ParseIntFunc,
		"range":           stdlib.RangeFunc,
		"regex":           stdlib.RegexFunc,
		"regexall":        stdlib.RegexAllFunc,
		"regex_replace":   stdlib.RegexReplaceFunc,
		"replace":         stdlib.ReplaceFunc,
		"reverse":         stdlib.ReverseListFunc,
		"setintersection": stdlib.SetIntersectionFunc,
		"setproduct":      stdlib.SetProductFunc,
		"setsubtract":     stdlib.SetSubtractFunc,
		"setunion":        stdlib.SetUnionFunc,
		"slice":           stdlib.SliceFunc,
		"sort":            stdlib.SortFunc,
		"split":           stdlib.SplitFunc,
		"strrev":          stdlib.ReverseFunc,
		"substr":          stdlib.SubstrFunc,
		"timeadd":         stdlib.TimeAddFunc,
		"title":           stdlib.TitleFunc,
		"tobool":          stdlib.MakeToFunc(cty.Bool),
		"tolist":          stdlib.MakeToFunc(cty.List(cty.DynamicPseudoType)),
		"tomap":           stdlib.MakeToFunc(cty.Map(cty.DynamicPseudoType)),
		"tonumber":        stdlib.MakeToFunc(cty.Number),
		"toset":           stdlib.MakeToFunc(cty.Set(cty.DynamicPseudoType)),
		"tostring":        stdlib.MakeToFunc(cty.String),
		"trim":            stdlib.TrimFunc,
		"trimprefix":      stdlib.TrimPrefixFunc,
		"trimspace":       stdlib.TrimSpaceFunc,
		"trimsuffix":      stdlib.TrimSuffixFunc,
		"upper":           stdlib.UpperFunc,
		"values":          stdlib.ValuesFunc,
		"zipmap":          stdlib.ZipmapFunc,
	}
	fns["env"] = envFunc(mode, host)
	fns["file"] = fileFunc(host)
	fns["timestamp"] = timestampFunc(host)
	fns["timediff"] = timediffFunc
	return fns
}

// timediffFunc is timediff(start, end): the seconds from start to end, two
// RFC 3339 times, with their fractions; negative when end is earlier.
// Okta Workflows' Difference card reads its days, hours and minutes from
// it.
var timediffFunc = function.New(&function.Spec{
	Description: "Returns the seconds from start to end (RFC 3339 times), negative when end is earlier.",
	Params:      []function.Parameter{{Name: "start", Type: cty.String}, {Name: "end", Type: cty.String}},
	Type:        function.StaticReturnType(cty.Number),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		var ts [2]time.Time
		for i, a := range args {
			t, err := time.Parse(time.RFC3339Nano, a.AsString())
			if err != nil {
				return cty.NilVal, function.NewArgErrorf(i, "%q is not an RFC 3339 time such as \"2026-01-31T09:00:00Z\"", a.AsString())
			}
			ts[i] = t
		}
		return cty.NumberFloatVal(ts[1].Sub(ts[0]).Seconds()), nil
	},
})

// timestampFunc returns the current time in UTC as RFC 3339 text, as
// Terraform's timestamp() does: Okta Workflows' Now card, and the start of
// timeadd() and formatdate(). It is read when the card's inputs are
// evaluated, so a retried card sees a later time.
func timestampFunc(host Host) function.Function {
	now := host.Now
	if now == nil {
		now = time.Now
	}
	return function.New(&function.Spec{
		Description: "Returns the current time in UTC, in RFC 3339 format.",
		Type:        function.StaticReturnType(cty.String),
		Impl: func([]cty.Value, cty.Type) (cty.Value, error) {
			return cty.StringVal(now().UTC().Format(time.RFC3339)), nil
		},
	})
}

func envFunc(mode Mode, host Host) function.Function {
	return function.New(&function.Spec{
		Description: "Returns the value of an environment variable.",
		Params:      []function.Parameter{{Name: "name", Type: cty.String}},
		Type:        function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			name := args[0].AsString()
			v, ok := host.LookupEnv(name)
			if !ok {
				if mode == Check {
					return cty.UnknownVal(cty.String), nil
				}
				return cty.NilVal, function.NewArgErrorf(0, "the environment variable %s is not set", name)
			}
			return cty.StringVal(v), nil
		},
	})
}

func fileFunc(host Host) function.Function {
	return function.New(&function.Spec{
		Description: "Returns the contents of a file, relative to the working directory.",
		Params:      []function.Parameter{{Name: "path", Type: cty.String}},
		Type:        function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			p := args[0].AsString()
			if !filepath.IsAbs(p) && host.Dir != "" {
				p = filepath.Join(host.Dir, p)
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return cty.NilVal, function.NewArgErrorf(0, "cannot read %s: %s", args[0].AsString(), unwrapPathError(err))
			}
			return cty.StringVal(string(b)), nil
		},
	})
}

func unwrapPathError(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err.Error()
	}
	return fmt.Sprint(err)
}
