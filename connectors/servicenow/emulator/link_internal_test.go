package emulator

import (
	"strconv"
	"strings"
	"testing"
)

// linkHeaderJoined is linkHeader as it was written before it built the
// header in one buffer: the reference the faster one must match.
func linkHeaderJoined(u, rawQuery string, offset, limit, total int) string {
	var keep []string
	for p := range strings.SplitSeq(rawQuery, "&") {
		name, _, _ := strings.Cut(p, "=")
		if p == "" || name == "sysparm_offset" || name == "sysparm_limit" {
			continue
		}
		keep = append(keep, p)
	}
	page := func(off int, rel string) string {
		q := append(append([]string{}, keep...), "sysparm_offset="+strconv.Itoa(off), "sysparm_limit="+strconv.Itoa(limit))
		return "<" + u + "?" + strings.Join(q, "&") + ">;rel=\"" + rel + "\""
	}
	links := []string{page(0, "first")}
	if offset > 0 {
		links = append(links, page(max(offset-limit, 0), "prev"))
	}
	if offset+limit < total {
		links = append(links, page(offset+limit, "next"))
	}
	last := 0
	if total > 0 {
		last = (total - 1) / limit * limit
	}
	links = append(links, page(last, "last"))
	return strings.Join(links, ",")
}

// TestLinkHeaderMatchesJoined checks the Link header, byte for byte, against
// the joined reference for queries with and without paging parameters,
// empty pairs, and every position of a page among totals.
func TestLinkHeaderMatchesJoined(t *testing.T) {
	queries := []string{"", "sysparm_limit=1", "sysparm_query=correlation_id%3D00u1%5EORDERBYsys_created_on&sysparm_limit=1&sysparm_exclude_reference_link=true",
		"a=1&&b=2&", "sysparm_offset=20&sysparm_limit=10&sysparm_fields=sys_id,number", "sysparm_offsetx=1&sysparm_limit", "&&"}
	for _, q := range queries {
		for _, total := range []int{0, 1, 9, 10, 11, 25, 100} {
			for _, limit := range []int{1, 3, 10, 10000} {
				for _, offset := range []int{0, 1, 5, 10, 20, 200} {
					u := "http://127.0.0.1:8080/api/now/table/incident"
					got, want := linkHeader(u, q, offset, limit, total), linkHeaderJoined(u, q, offset, limit, total)
					if got != want {
						t.Fatalf("%s offset %d limit %d total %d:\n got %s\nwant %s", q, offset, limit, total, got, want)
					}
				}
			}
		}
	}
}
