package okta_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

// Okta sends one Link header line per link; RFC 8288 also allows them
// folded into one line. Both must page forward, never back to self.
func TestPaginationLinkForms(t *testing.T) {
	for name, folded := range map[string]bool{"separate lines": false, "folded": true} {
		t.Run(name, func(t *testing.T) {
			var srv *httptest.Server
			srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				self := fmt.Sprintf(`<%s%s>; rel="self"`, srv.URL, r.URL.RequestURI())
				switch r.URL.Query().Get("after") {
				case "":
					next := fmt.Sprintf(`<%s/api/v1/users?after=p2&limit=2&title=%%22a,b%%22>; title="x, y"; rel="next"`, srv.URL)
					if folded {
						w.Header().Set("Link", self+", "+next)
					} else {
						w.Header().Add("Link", self)
						w.Header().Add("Link", next)
					}
					fmt.Fprint(w, `[{"id":"00u1","status":"ACTIVE","profile":{"login":"a@x"}},{"id":"00u2","status":"ACTIVE","profile":{"login":"b@x"}}]`)
				case "p2":
					w.Header().Add("Link", self)
					fmt.Fprint(w, `[{"id":"00u3","status":"ACTIVE","profile":{"login":"c@x"}}]`)
				default:
					http.Error(w, "bad cursor", 400)
				}
			}))
			defer srv.Close()
			c := openTo(t, srv.URL)
			out, err := doWith(t, c, "search_users", map[string]cty.Value{"limit": cty.NumberIntVal(10)})
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for it := out.GetAttr("users").ElementIterator(); it.Next(); {
				_, u := it.Element()
				ids = append(ids, get(u, "id"))
			}
			if fmt.Sprint(ids) != "[00u1 00u2 00u3]" {
				t.Errorf("users %v, want [00u1 00u2 00u3]", ids)
			}
		})
	}
}
