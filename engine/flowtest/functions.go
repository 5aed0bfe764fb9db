package flowtest

import (
	"strings"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// assertFunctions are the flow functions plus Terraform's string tests,
// which asserts need and flows do not.
func assertFunctions(flowFuncs map[string]function.Function) map[string]function.Function {
	fns := make(map[string]function.Function, len(flowFuncs)+5)
	for k, v := range flowFuncs {
		fns[k] = v
	}
	fns["strcontains"] = stringTest("substr", strings.Contains)
	fns["startswith"] = stringTest("prefix", strings.HasPrefix)
	fns["endswith"] = stringTest("suffix", strings.HasSuffix)
	fns["alltrue"] = boolFold(true)
	fns["anytrue"] = boolFold(false)
	return fns
}

// boolFold is alltrue (all = true) or anytrue over a list of bools.
func boolFold(all bool) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "list", Type: cty.List(cty.Bool)}},
		Type:   function.StaticReturnType(cty.Bool),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			for it := args[0].ElementIterator(); it.Next(); {
				_, v := it.Element()
				if v.IsNull() {
					return cty.False, nil
				}
				if v.True() != all {
					return cty.BoolVal(!all), nil
				}
			}
			return cty.BoolVal(all), nil
		},
	})
}

func stringTest(arg string, test func(s, x string) bool) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "string", Type: cty.String}, {Name: arg, Type: cty.String}},
		Type:   function.StaticReturnType(cty.Bool),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			return cty.BoolVal(test(args[0].AsString(), args[1].AsString())), nil
		},
	})
}
