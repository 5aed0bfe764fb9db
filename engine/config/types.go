package config

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/zclconf/go-cty/cty"
)

// TypeConstraint is a decoded type expression (string, list(string), …).
type TypeConstraint struct {
	Type  cty.Type
	Range hcl.Range
}

func decodeType(expr hcl.Expression) (TypeConstraint, hcl.Diagnostics) {
	ty, diags := typeexpr.TypeConstraint(expr)
	return TypeConstraint{Type: ty, Range: expr.Range()}, diags
}
