package plan_test

import (
	"bytes"
	"encoding/json"
	"sort"
	"testing"

	"github.com/cardflow/cardflow/engine/config"
	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/lang"
	"github.com/cardflow/cardflow/engine/plan"
	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"
)

func sensitiveTrigger(secrets []string, paths ...string) *plan.Trigger {
	t := &plan.Trigger{Secrets: secrets}
	for _, p := range paths {
		names, err := connector.ParseFieldPath(p)
		if err != nil {
			panic(err)
		}
		t.Sensitive = append(t.Sensitive, connector.SensitiveField{Name: p, Path: append([]string{"body"}, names...)})
	}
	return t
}

func TestTriggerRedact(t *testing.T) {
	cases := []struct {
		name    string
		trigger *plan.Trigger
		payload string
		stored  string // "" : unchanged
		removed []string
	}{
		{"a field", sensitiveTrigger(nil, "data.context.credential.password"),
			`{"body":{"data":{"context":{"credential":{"username":"ada","password":"pa55-word"}}}}}`,
			`{"body":{"data":{"context":{"credential":{"password":"(sensitive)","username":"ada"}}}}}`, []string{"pa55-word"}},
		{"through every element of lists", sensitiveTrigger(nil, "users.password"),
			`{"body":{"users":[{"name":"a","password":"first-pw"},{"name":"b","password":"second-pw"},[{"password":"nested-pw"}],{"name":"c"}]}}`,
			`{"body":{"users":[{"name":"a","password":"(sensitive)"},{"name":"b","password":"(sensitive)"},[{"password":"(sensitive)"}],{"name":"c"}]}}`,
			[]string{"first-pw", "nested-pw", "second-pw"}},
		{"an object, a number", sensitiveTrigger(nil, "credential", "pin"),
			`{"body":{"credential":{"user":"ada","secret":["s3cr3t-1"]},"pin":123456}}`,
			`{"body":{"credential":"(sensitive)","pin":"(sensitive)"}}`, []string{"123456", "ada", "s3cr3t-1"}},
		{"null and missing fields are left", sensitiveTrigger(nil, "data.password", "other"),
			`{"body":{"data":{"password":null}}}`, "", nil},
		{"a body that is text", sensitiveTrigger(nil, "data.password"), `{"body":"data.password=x"}`, "", nil},
		{"the flow's own secrets echoed", sensitiveTrigger([]string{"tok-secret-1"}),
			`{"body":{"note":"Bearer tok-secret-1","tok-secret-1":true},"headers":{}}`,
			`{"body":{"(sensitive)":true,"note":"Bearer (sensitive)"},"headers":{}}`, []string{"tok-secret-1", "tok-secret-1"}},
		{"nothing to redact", sensitiveTrigger([]string{"tok-secret-1"}), `{"body":{"note":"hello"}}`, "", nil},
		{"not JSON", sensitiveTrigger(nil, "a"), `not json`, "", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			stored, removed, changed := tc.trigger.Redact([]byte(tc.payload))
			if changed != (tc.stored != "") {
				t.Fatalf("changed = %v, stored %s", changed, stored)
			}
			want := tc.stored
			if want == "" {
				want = tc.payload
			}
			if string(stored) != want {
				t.Errorf("stored\n%s\nwant\n%s", stored, want)
			}
			sort.Strings(removed)
			if diff := cmp.Diff(tc.removed, removed); diff != "" {
				t.Errorf("removed (-want +got):\n%s", diff)
			}
			if changed && tc.trigger.Sensitive != nil && tc.trigger.Unstored(stored) == "" {
				t.Errorf("Unstored(%s) names no field", stored)
			}
			if name := tc.trigger.Unstored([]byte(tc.payload)); name != "" {
				t.Errorf("Unstored of the payload as received = %q, want none", name)
			}
		})
	}
}

func TestTriggerUnstoredNamesTheField(t *testing.T) {
	tr := sensitiveTrigger(nil, "data.token", "users.password")
	stored := `{"body":{"data":{"token":"x","note":"(sensitive)"},"users":[{"password":"plain"},{"password":"(sensitive)"}]}}`
	if got := tr.Unstored([]byte(stored)); got != "users.password" {
		t.Errorf("Unstored = %q, want users.password (data.token holds a value, note is no sensitive field)", got)
	}
}

func TestTriggerMarkSensitive(t *testing.T) {
	tr := sensitiveTrigger(nil, "users.password", "data.missing")
	v, err := connector.FromJSON([]byte(`{"body":{"users":[{"name":"a","password":"pw-1"},{"name":"b","password":null}],"data":{}}}`), cty.DynamicPseudoType)
	if err != nil {
		t.Fatal(err)
	}
	got := tr.MarkSensitive(v)
	users := got.GetAttr("body").GetAttr("users")
	first, second := users.Index(cty.NumberIntVal(0)), users.Index(cty.NumberIntVal(1))
	if !first.GetAttr("password").HasMark(lang.Sensitive) || first.GetAttr("name").IsMarked() {
		t.Errorf("first user: password marked %v, name marked %v", first.GetAttr("password").HasMark(lang.Sensitive), first.GetAttr("name").IsMarked())
	}
	if second.GetAttr("password").IsMarked() {
		t.Error("a null password is marked")
	}
	plain, _ := got.UnmarkDeep()
	ga, _ := connector.ToGo(plain)
	gb, _ := connector.ToGo(v)
	a, _ := json.Marshal(ga)
	b, _ := json.Marshal(gb)
	if string(a) != string(b) {
		t.Errorf("marking changed the value: %s, was %s", a, b)
	}
}

// TestCompiledEndpointRedactsEchoedToken: an endpoint flow compiled with
// a token and no sensitive fields keeps a caller's echo of the token out
// of the stored event, and scans an event without it allocating nothing.
func TestCompiledEndpointRedactsEchoedToken(t *testing.T) {
	const token = "endpoint-token-0123456789abcdef0123456789abcdef"
	src := []byte(`
flow "echo" {
  trigger "http.endpoint" {
    token = env("ECHO_TOKEN")
  }
  card "done" {
    action = flow.return
    result = { ok = true }
  }
}
`)
	reg := registry()
	cfg, diags := config.LoadSources(map[string][]byte{"echo.hcl": src}, reg)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	host := lang.Host{LookupEnv: func(k string) (string, bool) { return token, k == "ECHO_TOKEN" }}
	gen, diags := plan.Compile(cfg, plan.Options{Registry: reg, Mode: lang.Live, Host: host})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	tr := gen.Flows["echo"].Trigger
	stored, removed, changed := tr.Redact([]byte(`{"body":{"note":"my token is ` + token + `"}}`))
	if !changed || bytes.Contains(stored, []byte(token)) || len(removed) != 1 || removed[0] != token {
		t.Errorf("Redact of an echoed token: stored %s, removed %q, changed %v", stored, removed, changed)
	}
	plain := []byte(`{"body":{"note":"nothing secret here, but longer than the token is long"}}`)
	if allocs := testing.AllocsPerRun(100, func() { tr.Redact(plain) }); allocs != 0 {
		t.Errorf("Redact of an event without secrets allocates %v times", allocs)
	}
}
