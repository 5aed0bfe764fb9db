package okta

import (
	"fmt"
	"regexp"

	"github.com/agext/levenshtein"
	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/connectors/okta/eventtypes"
)

// eventTypePattern is the shape of Okta event types: dotted lower-case words.
var eventTypePattern = regexp.MustCompile(`^[a-z0-9_]+(\.[a-z0-9_]+)+$`)

// checkEventTypes returns the Check of an event_types list. forHooks also
// refuses the types event hooks cannot subscribe to.
func checkEventTypes(forHooks bool) func(cty.Value) error {
	return func(v cty.Value) error {
		v, ok := checkable(v)
		if !ok || !v.CanIterateElements() {
			return nil
		}
		if v.LengthInt() == 0 {
			return fmt.Errorf("event_types must list at least one event type, e.g. [\"user.lifecycle.create\"]")
		}
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			if e, ok = checkable(e); !ok || e.Type() != cty.String {
				continue
			}
			if err := checkEventType(e.AsString(), forHooks); err != nil {
				return err
			}
		}
		return nil
	}
}

func checkEventType(t string, forHooks bool) error {
	if !eventTypePattern.MatchString(t) {
		return fmt.Errorf("%q is not an Okta event type: those are dotted lower-case words such as \"user.lifecycle.create\"", t)
	}
	if forHooks && eventtypes.HookIneligible(t) {
		return fmt.Errorf("%q is not eligible for event hooks; poll it with the okta.system_log trigger", t)
	}
	// A type missing from the table is accepted unless it is a near miss
	// of a known one: Okta's catalog has hundreds more, but a near miss is
	// most likely a typo.
	if eventtypes.HookEligible(t) || eventtypes.HookIneligible(t) {
		return nil
	}
	best, dist := nearest(t, eventtypes.Eligible())
	if dist <= max(2, len(t)/8) {
		return fmt.Errorf("unknown event type %q; did you mean %q?", t, best)
	}
	return nil
}

// nearest returns the candidate closest to s in edit distance.
func nearest(s string, candidates []string) (string, int) {
	best, bestDist := "", -1
	for _, c := range candidates {
		if d := levenshtein.Distance(s, c, nil); bestDist < 0 || d < bestDist {
			best, bestDist = c, d
		}
	}
	return best, bestDist
}
