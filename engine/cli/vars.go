package cli

import (
	"github.com/cardflow/cardflow/engine/lang"
	"github.com/spf13/pflag"
)

// varFlags are the --var and --var-file flags shared by commands that load
// flows.
type varFlags struct {
	vars     []string
	varFiles []string
}

func (v *varFlags) register(fs *pflag.FlagSet) {
	fs.StringArrayVar(&v.vars, "var", nil, "set a variable: --var name=value (HCL syntax for lists and maps)")
	fs.StringArrayVar(&v.varFiles, "var-file", nil, "read variables from an HCL file of name = value lines")
}

func (v *varFlags) values(io *IOStreams) lang.VarValues {
	return lang.VarValues{
		Env:   lang.VarsFromEnviron(io.Environ),
		Files: v.varFiles,
		Flags: v.vars,
	}
}
