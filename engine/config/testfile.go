package config

import "github.com/hashicorp/hcl/v2"

// TestFile is a *.test.hcl file. Its run blocks are decoded by the flow test
// runner, which knows the flows they exercise.
type TestFile struct {
	Name string
	Body hcl.Body
}

func decodeTestFile(name string, body hcl.Body) (*TestFile, hcl.Diagnostics) {
	return &TestFile{Name: name, Body: body}, nil
}
