package cli

import (
	"fmt"
	"time"

	"github.com/spf13/pflag"

	"github.com/cardflow/cardflow/engine"
)

// defaultRetention is how long cardflow run keeps finished executions.
// History holds identity data (names, emails, managers): kept forever it
// is a liability, and a month covers looking into what went wrong.
const defaultRetention = 30 * 24 * time.Hour

// retainFlags are cardflow run's retention settings.
type retainFlags struct {
	keep   time.Duration
	failed bool
	// envErr is why CARDFLOW_RETAIN does not parse; check reports it
	// unless --retain overrides the variable.
	envErr error
}

func (r *retainFlags) register(fl *pflag.FlagSet, f *Factory) {
	r.keep = defaultRetention
	if v, ok := f.IO.LookupEnv("CARDFLOW_RETAIN"); ok && v != "" {
		d, err := parseAge(v)
		if err != nil {
			r.envErr = fmt.Errorf("CARDFLOW_RETAIN: %w", err)
		} else {
			r.keep = d
		}
	}
	fl.Var(ageValue{&r.keep}, "retain", "delete finished executions, their journals and payloads this long after they ended: 30d, 36h; 0 keeps them forever (CARDFLOW_RETAIN)")
	fl.BoolVar(&r.failed, "retain-failed", false, "delete failed executions too once they are that old (by default they stay until replayed)")
}

// check refuses a CARDFLOW_RETAIN that does not parse, as --retain with
// the same value is refused: falling back to the default would delete
// history the operator meant to keep (CARDFLOW_RETAIN=90 for 90 days).
func (r *retainFlags) check(fl *pflag.FlagSet) error {
	if r.envErr != nil && !fl.Changed("retain") {
		return exit(ExitUsage, r.envErr)
	}
	return nil
}

func (r *retainFlags) retention() engine.Retention {
	return engine.Retention{Keep: r.keep, Failed: r.failed}
}
