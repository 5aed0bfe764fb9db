package config

import (
	"strings"

	"github.com/cardflow/cardflow/internal/didyoumean"
	"github.com/hashicorp/hcl/v2"
)

// suggestUnsupported adds a did-you-mean to HCL's "Unsupported argument"
// and "Unsupported block type" diagnostics that lack one. A card body is
// decoded in two parts (the engine's arguments, then the action's), and
// HCL suggests only from the part it decodes: a misspelt for_each among an
// action's inputs got no hint.
func suggestUnsupported(diags hcl.Diagnostics, attrs, blocks []string) {
	for _, d := range diags {
		if strings.Contains(d.Detail, "Did you mean") {
			continue
		}
		var candidates []string
		switch d.Summary {
		case "Unsupported argument":
			candidates = attrs
		case "Unsupported block type":
			candidates = blocks
		default:
			continue
		}
		if name := quoted(d.Detail); name != "" {
			if hint := didyoumean.Hint(name, candidates); hint != "" {
				d.Detail += hint
			}
		}
	}
}

// quoted returns the first quoted word of s.
func quoted(s string) string {
	i := strings.IndexByte(s, '"')
	if i < 0 {
		return ""
	}
	j := strings.IndexByte(s[i+1:], '"')
	if j < 0 {
		return ""
	}
	return s[i+1 : i+1+j]
}
