package cli

import (
	"errors"
	"fmt"
	"os"
	"strings"

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

// check refuses a --var that is not name=value and a --var-file that
// cannot be read. Both are mistakes on the command line, not in the flows:
// they exit 2, as a missing flow path does, before anything is loaded.
func (v *varFlags) check() error {
	for _, kv := range v.vars {
		if name, _, ok := strings.Cut(kv, "="); !ok || name == "" {
			return exit(ExitUsage, fmt.Errorf("--var %q is not of the form name=value", kv))
		}
	}
	for _, path := range v.varFiles {
		f, err := os.Open(path)
		if err == nil {
			var st os.FileInfo
			if st, err = f.Stat(); err == nil && st.IsDir() {
				err = errors.New("is a directory")
			}
			f.Close()
		} else if inner := errors.Unwrap(err); inner != nil {
			err = inner
		}
		if err != nil {
			return exit(ExitUsage, fmt.Errorf("--var-file: cannot read %s: %w", path, err))
		}
	}
	return nil
}
