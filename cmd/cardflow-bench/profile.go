package main

import (
	"fmt"
	"os"
	"regexp"
	"strings"

	"github.com/google/pprof/profile"
)

// A profileGroup is what a CPU sample's stack serves. A sample counts for
// the first group whose pattern matches a function on its stack, so the
// order matters: the store's writer runs under the runtime's frames, an
// outbound request under a connector's.
type profileGroup struct {
	name string
	re   *regexp.Regexp
}

var profileGroups = []profileGroup{
	{"garbage collection", regexp.MustCompile(`^runtime\.(gcBgMarkWorker|bgsweep|bgscavenge|gcAssistAlloc|markroot|gcDrain)`)},
	{"SQLite store", regexp.MustCompile(`^modernc\.org/sqlite|/engine/store/sqlite\.|/engine/store/internal/groupcommit\.`)},
	{"outbound HTTP (net/http, Okta SDK)", regexp.MustCompile(`^net/http\.\(\*(persistConn|Transport|Client)\)|^net/http\.send$|^github\.com/okta/okta-sdk-golang`)},
	{"intake handler", regexp.MustCompile(`/engine/server\.|/connectors/okta\..*[Ee]vent[Hh]ook`)},
	{"serving HTTP (net/http)", regexp.MustCompile(`^net/http\.\(\*(conn|response|chunkWriter)\)`)},
	{"connectors: decoding answers, building outputs", regexp.MustCompile(`^github\.com/cardflow/cardflow/connectors/`)},
	{"runtime: evaluating inputs, journal encoding", regexp.MustCompile(`^github\.com/cardflow/cardflow/engine/(runtime|connector)`)},
}

// profileShare is one group's share of a profile's samples.
type profileShare struct {
	Group   string  `json:"group"`
	Percent float64 `json:"percent"`
}

// summarizeProfile reads a CPU profile and says which share of its CPU
// time each group's stacks took; the rest is "other" (the Go scheduler,
// network system calls outside net/http's frames).
func summarizeProfile(path string) ([]profileShare, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	p, err := profile.Parse(f)
	if err != nil {
		return nil, err
	}
	idx := -1
	for i, st := range p.SampleType {
		if st.Type == "cpu" {
			idx = i
		}
	}
	if idx < 0 {
		return nil, fmt.Errorf("%s is not a CPU profile", path)
	}
	sums := make([]int64, len(profileGroups)+1)
	var total int64
	for _, s := range p.Sample {
		v := s.Value[idx]
		total += v
		sums[groupOf(s)] += v
	}
	if total == 0 {
		return nil, fmt.Errorf("%s has no samples", path)
	}
	shares := make([]profileShare, 0, len(sums))
	for i, g := range profileGroups {
		shares = append(shares, profileShare{g.name, 100 * float64(sums[i]) / float64(total)})
	}
	return append(shares, profileShare{"other", 100 * float64(sums[len(profileGroups)]) / float64(total)}), nil
}

// groupOf returns the index of the first group a function of s's stack
// matches, len(profileGroups) for none.
func groupOf(s *profile.Sample) int {
	best := len(profileGroups)
	for _, loc := range s.Location {
		for _, line := range loc.Line {
			if line.Function == nil {
				continue
			}
			for i := 0; i < best; i++ {
				if profileGroups[i].re.MatchString(line.Function.Name) {
					best = i
					break
				}
			}
		}
	}
	return best
}

// formatShares writes shares as one line: "group 22 %, …".
func formatShares(shares []profileShare) string {
	parts := make([]string, 0, len(shares))
	for _, s := range shares {
		parts = append(parts, fmt.Sprintf("%s %.0f %%", s.Group, s.Percent))
	}
	return strings.Join(parts, ", ")
}
