package connector_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/connectors/okta"
	"github.com/cardflow/cardflow/engine/connector"
)

// TestFromJSONPathsOnFixtures decodes the connectors' real payloads with
// the paths flows read and checks each against the full decode: the same
// on every path, null off them.
func TestFromJSONPathsOnFixtures(t *testing.T) {
	pathSets := map[string][]string{
		"none":     nil,
		"all":      {""},
		"incident": {"event.target.0.displayName", "event.target.0.alternateId", "event.uuid"},
		"objects":  {"event.actor", "delivery.source", "user.id", "event.client.geographicalContext.city"},
		"lists":    {"event.target", "event.debugContext.debugData.requestId"},
		"record":   {"record.number", "sys_id"},
		"unknown":  {"event.nosuch.x", "nosuch"},
	}
	for _, c := range fixtureCases(t) {
		for name, set := range pathSets {
			var paths [][]string
			for _, p := range set {
				if p == "" {
					paths = append(paths, []string{})
				} else {
					paths = append(paths, strings.Split(p, "."))
				}
			}
			t.Run(c.name+"/"+name, func(t *testing.T) {
				connector.CheckSparse(t, c.json, c.ty, paths)
			})
		}
	}
}

// fixtureCases are realCases and every event of every Okta fixture.
func fixtureCases(t *testing.T) []conversionCase {
	cases := realCases(t)
	files, err := filepath.Glob("../../connectors/okta/testdata/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no Okta fixtures: %v", err)
	}
	hook, _ := okta.New().Trigger("event_hook")
	for _, f := range files {
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		evs, err := okta.DecodeEventHook(body)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, ev := range evs {
			cases = append(cases, conversionCase{filepath.Base(f) + "/" + ev.ID, ev.Payload, hook.Output})
		}
	}
	snFiles, err := filepath.Glob("../../connectors/servicenow/testdata/*.json")
	if err != nil || len(snFiles) == 0 {
		t.Fatalf("no ServiceNow fixtures: %v", err)
	}
	for _, f := range snFiles {
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, conversionCase{filepath.Base(f), body, cty.DynamicPseudoType})
	}
	return cases
}
