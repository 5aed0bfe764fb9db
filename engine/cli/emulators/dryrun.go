package emulators

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http/httptest"

	oktaemu "github.com/cardflow/cardflow/connectors/okta/emulator"
	snemu "github.com/cardflow/cardflow/connectors/servicenow/emulator"
	"github.com/cardflow/cardflow/engine"
	"github.com/cardflow/cardflow/engine/cli"
	"github.com/cardflow/cardflow/engine/lang"
	"github.com/cardflow/cardflow/engine/seed"
	"github.com/zclconf/go-cty/cty"
)

// dryRun reads the seed file and starts a seeded emulator on loopback for
// each of connectors that has one. ServiceNow without a seed serves its
// demo users and groups, so that lookups of the example flows find people.
func dryRun(seedPath string, connectors []string) (*cli.DryRunEmulators, error) {
	var sf seed.File
	if seedPath != "" {
		var err error
		if sf, err = seed.Read(seedPath); err != nil {
			return nil, &engine.SeedError{Err: err}
		}
	}
	creds, err := dryRunCredentials()
	if err != nil {
		return nil, err
	}
	out := &cli.DryRunEmulators{Connections: map[string]map[string]cty.Value{}, Tables: sf.Tables}
	var stops []func()
	out.Stop = func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}
	for _, name := range connectors {
		switch name {
		case seed.Okta:
			e := oktaemu.New(oktaemu.Options{})
			stops = append(stops, e.Close)
			if sf.Okta != nil {
				if err := e.Seed(*sf.Okta); err != nil {
					out.Stop()
					return nil, &engine.SeedError{Err: fmt.Errorf("seed file %s: okta: %w", seedPath, err)}
				}
			}
			srv := httptest.NewServer(e)
			stops = append(stops, srv.Close)
			out.Connections[name] = map[string]cty.Value{
				"org_url":     cty.StringVal(srv.URL),
				"token":       cty.StringVal(creds.token).Mark(lang.Sensitive),
				"client_id":   cty.NullVal(cty.String),
				"private_key": cty.NullVal(cty.String),
			}
		case seed.ServiceNow:
			// The connection presents an API key the emulator maps to
			// svc.cardflow: a basic-auth password would have to match the
			// one the seed gives that user (the demo seed's is public).
			e := snemu.New(snemu.Options{APIKeys: map[string]string{creds.apiKey: dryRunSNUser}})
			if sf.ServiceNow == nil {
				if err := e.Seed(snemu.DemoSeed()); err != nil {
					out.Stop()
					return nil, fmt.Errorf("servicenow demo seed: %w", err)
				}
			} else if err := e.Seed(*sf.ServiceNow); err != nil {
				out.Stop()
				return nil, &engine.SeedError{Err: fmt.Errorf("seed file %s: servicenow: %w", seedPath, err)}
			}
			srv := httptest.NewServer(e)
			stops = append(stops, srv.Close)
			out.Connections[name] = map[string]cty.Value{
				"instance_url":  cty.StringVal(srv.URL),
				"username":      cty.StringVal(dryRunSNUser),
				"password":      cty.StringVal(creds.password).Mark(lang.Sensitive),
				"client_id":     cty.NullVal(cty.String),
				"client_secret": cty.NullVal(cty.String),
				"api_key":       cty.StringVal(creds.apiKey).Mark(lang.Sensitive),
			}
		}
	}
	return out, nil
}

// dryRunCreds are the credentials the connections present to the dry run's
// emulators. They are random: they are marked sensitive like any credential,
// and a fixed word would be redacted wherever it appears in the output.
type dryRunCreds struct{ token, password, apiKey string }

// dryRunSNUser is the ServiceNow user a dry run reads as.
const dryRunSNUser = "svc.cardflow"

func dryRunCredentials() (dryRunCreds, error) {
	var b [48]byte
	if _, err := rand.Read(b[:]); err != nil {
		return dryRunCreds{}, err
	}
	h := hex.EncodeToString(b[:])
	return dryRunCreds{token: "dry-run-" + h[:32], password: "dry-run-" + h[32:64], apiKey: "dry-run-" + h[64:]}, nil
}
