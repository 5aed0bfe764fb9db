package connector

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/zclconf/go-cty/cty"
)

// FromJSON decodes JSON into a value of type ty, the way connectors turn API
// responses into card outputs: attributes missing from the JSON become null,
// attributes the type does not declare are dropped, and scalars convert
// between strings, numbers and bools where the text allows it. It decodes
// with encoding/json (numbers as json.Number) and converts with FromGo.
func FromJSON(data []byte, ty cty.Type) (cty.Value, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return cty.NilVal, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return cty.NilVal, fmt.Errorf("unexpected data after the JSON value at offset %d", dec.InputOffset())
	}
	return FromGo(v, ty)
}
