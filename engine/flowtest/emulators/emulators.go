package emulators

import (
	"fmt"
	"net/http"

	oktaemu "github.com/cardflow/cardflow/connectors/okta/emulator"
	snemu "github.com/cardflow/cardflow/connectors/servicenow/emulator"
	"github.com/cardflow/cardflow/engine/flowtest"
	seedfile "github.com/cardflow/cardflow/engine/seed"
	"github.com/zclconf/go-cty/cty"
)

// Credentials the emulators are started with; they never leave the test.
const (
	testOktaToken  = "cardflow-test-token"
	testSNUser     = "cardflow.test"
	testSNPassword = "cardflow-test-password"
)

// Default returns the emulators of the built-in connectors, by connector
// name.
func Default() map[string]flowtest.Emulator {
	return map[string]flowtest.Emulator{
		"okta": {
			New: func(seed []byte) (http.Handler, func(), error) {
				emu := oktaemu.New(oktaemu.Options{Token: testOktaToken})
				if seed != nil {
					s, err := seedPart(seed, seedfile.Okta)
					if err != nil {
						emu.Close()
						return nil, nil, err
					}
					if err := emu.Seed(s.(oktaemu.Seed)); err != nil {
						emu.Close()
						return nil, nil, err
					}
				}
				return emu, emu.Close, nil
			},
			Connection: func(url string) map[string]cty.Value {
				return map[string]cty.Value{
					"org_url":     cty.StringVal(url),
					"token":       cty.StringVal(testOktaToken),
					"client_id":   cty.NullVal(cty.String),
					"private_key": cty.NullVal(cty.String),
					"rate_limit":  cty.NumberIntVal(10000),
				}
			},
		},
		"servicenow": {
			New: func(seed []byte) (http.Handler, func(), error) {
				emu := snemu.New(snemu.Options{Users: map[string]string{testSNUser: testSNPassword}})
				if seed != nil {
					s, err := seedPart(seed, seedfile.ServiceNow)
					if err != nil {
						return nil, nil, err
					}
					if err := emu.Seed(s.(snemu.Seed)); err != nil {
						return nil, nil, err
					}
				}
				return emu, func() {}, nil
			},
			Connection: func(url string) map[string]cty.Value {
				return map[string]cty.Value{
					"instance_url":  cty.StringVal(url),
					"username":      cty.StringVal(testSNUser),
					"password":      cty.StringVal(testSNPassword),
					"client_id":     cty.NullVal(cty.String),
					"client_secret": cty.NullVal(cty.String),
					"api_key":       cty.NullVal(cty.String),
					"rate_limit":    cty.NumberIntVal(10000),
				}
			},
		},
	}
}

// seedPart decodes a seed file (docs/seeds.md: the whole format or one
// emulator's seed alone) and returns its part for system.
func seedPart(data []byte, system string) (any, error) {
	f, err := seedfile.Parse(data)
	if err == nil {
		var part any
		if part, err = f.For(system); err == nil {
			return part, nil
		}
	}
	return nil, fmt.Errorf("seed: %w", err)
}
