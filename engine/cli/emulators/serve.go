package emulators

import (
	"fmt"
	"time"

	oktaemu "github.com/cardflow/cardflow/connectors/okta/emulator"
	snemu "github.com/cardflow/cardflow/connectors/servicenow/emulator"
	"github.com/cardflow/cardflow/engine/cli"
	"github.com/cardflow/cardflow/engine/seed"
)

// serveOkta is the Okta emulator of `cardflow emulate okta`.
func serveOkta(o cli.ServeEmulatorOptions) (*cli.ServedEmulator, error) {
	if err := oktaemu.CheckRateLimits(o.RateLimits); err != nil {
		return nil, fmt.Errorf("--rate-limit: %w", err)
	}
	concurrency := o.ConcurrencyLimit
	if concurrency == 0 {
		concurrency = oktaemu.NoConcurrencyLimit
	}
	e := oktaemu.New(oktaemu.Options{Token: o.Token, EnforceRateLimits: o.EnforceRateLimits, RateLimits: o.RateLimits,
		ConcurrencyLimit: concurrency, DeliveryBatchWindow: o.DeliveryBatchWindow})
	if o.SeedPath != "" {
		s, err := seedPart(o.SeedPath, seed.Okta)
		if err == nil {
			err = seedError(o.SeedPath, e.Seed(s.(oktaemu.Seed)))
		}
		if err != nil {
			e.Close()
			return nil, fmt.Errorf("seed: %w", err)
		}
	}
	return &cli.ServedEmulator{Handler: e, Fault: oktaFault(e), ClearFaults: e.ClearFaults, Close: e.Close}, nil
}

// serveServiceNow is the ServiceNow emulator of `cardflow emulate
// servicenow`.
func serveServiceNow(o cli.ServeEmulatorOptions) (*cli.ServedEmulator, error) {
	opts := snemu.Options{}
	if o.User != "" {
		opts.Users = map[string]string{o.User: o.Password}
	}
	e := snemu.New(opts)
	if o.SeedPath != "" {
		s, err := seedPart(o.SeedPath, seed.ServiceNow)
		if err == nil {
			err = seedError(o.SeedPath, e.Seed(s.(snemu.Seed)))
		}
		if err != nil {
			return nil, fmt.Errorf("seed: %w", err)
		}
	}
	return &cli.ServedEmulator{Handler: e, Fault: serviceNowFault(e), ClearFaults: e.ClearFaults, Close: func() {}}, nil
}

// seedPart reads a seed file and returns its part for system: the whole
// format or that emulator's seed alone (docs/seeds.md).
// seedError names the seed file of an emulator's Seed error, a value the
// emulator refuses (an unknown user status).
func seedError(path string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("seed file %s: %w", path, err)
}

func seedPart(path, system string) (any, error) {
	f, err := seed.Read(path)
	if err != nil {
		return nil, err
	}
	part, err := f.For(system)
	if err != nil {
		return nil, fmt.Errorf("seed file %s: %w", path, err)
	}
	return part, nil
}

func oktaFault(e *oktaemu.Emulator) func(cli.FaultSpec, time.Time) (func(), error) {
	return func(s cli.FaultSpec, now time.Time) (func(), error) {
		if s.Commit {
			return nil, fmt.Errorf("commit is a ServiceNow fault: Okta's emulator has no transactions that outlive a request")
		}
		f := oktaemu.Fault{Method: s.Method, PathPrefix: s.Path, Status: s.Status, Count: s.Count, Drop: s.ConnectionReset}
		var err error
		if f.Latency, err = specDuration("latency", s.Latency); err != nil {
			return nil, err
		}
		if f.ResetAfter, err = specDuration("reset_after", s.ResetAfter); err != nil {
			return nil, err
		}
		if f.Until, err = specUntil(s.For, now); err != nil {
			return nil, err
		}
		return func() { e.Inject(f) }, nil
	}
}

func serviceNowFault(e *snemu.Emulator) func(cli.FaultSpec, time.Time) (func(), error) {
	return func(s cli.FaultSpec, now time.Time) (func(), error) {
		f := snemu.Fault{Method: s.Method, PathPrefix: s.Path, Status: s.Status, Count: s.Count, Drop: s.ConnectionReset, Detach: s.Commit}
		var err error
		if f.Latency, err = specDuration("latency", s.Latency); err != nil {
			return nil, err
		}
		if f.RetryAfter, err = specDuration("reset_after", s.ResetAfter); err != nil {
			return nil, err
		}
		if f.Until, err = specUntil(s.For, now); err != nil {
			return nil, err
		}
		return func() { e.Inject(f) }, nil
	}
}

func specDuration(name, v string) (time.Duration, error) {
	if v == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%s %q is not a duration such as \"20s\"", name, v)
	}
	return d, nil
}

func specUntil(v string, now time.Time) (time.Time, error) {
	d, err := specDuration("for", v)
	if err != nil || d == 0 {
		return time.Time{}, err
	}
	return now.Add(d), nil
}
