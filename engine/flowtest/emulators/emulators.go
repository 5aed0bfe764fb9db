// Package emulators serves the built-in connectors (Okta, ServiceNow) from
// their emulators in flow tests: the `emulator "<connector>"` block of a
// run. It is apart from flowtest so that the test runner itself depends on
// no connector; the CLI wires these in, as it wires the connector registry.
package emulators

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"

	oktaemu "github.com/cardflow/cardflow/connectors/okta/emulator"
	snemu "github.com/cardflow/cardflow/connectors/servicenow/emulator"
	"github.com/cardflow/cardflow/engine/flowtest"
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
					var s oktaemu.Seed
					if err := decodeStrict(seed, &s); err != nil {
						emu.Close()
						return nil, nil, err
					}
					if err := emu.Seed(s); err != nil {
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
					var s snemu.Seed
					if err := decodeStrict(seed, &s); err != nil {
						return nil, nil, err
					}
					if err := emu.Seed(s); err != nil {
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

func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	return nil
}
