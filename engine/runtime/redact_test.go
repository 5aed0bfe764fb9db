package runtime_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/runtime"
	"github.com/cardflow/cardflow/engine/store"
	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"
)

const secretPassword = "pw-SECRET-9999-event"

const redactFlows = `
variable "api_key" {
  type      = string
  sensitive = true
}

flow "f" {
  trigger "fake.event" {
    connection = connection.fake.main
  }

  # A sensitive variable inside a plain argument, and a sensitive argument.
  card "a" {
    action     = fake.step
    connection = connection.fake.main
    id         = "a"
    value      = "Bearer ${var.api_key}"
    secret     = env("FAKE_SECRET")
  }

  # a's output echoes the header it was given; the event's password goes
  # to a sensitive argument.
  card "b" {
    action     = fake.step
    connection = connection.fake.main
    id         = "b"
    value      = { header = card.a.value, user = trigger.user }
    secret     = trigger.password
  }

  # The same password again, in a plain argument.
  card "later" {
    action     = fake.step
    connection = connection.fake.main
    id         = "later"
    value      = "password was ${trigger.password}"
  }

  # A connector error that quotes every secret.
  card "fails" {
    action     = fake.step
    connection = connection.fake.main
    id         = "fails"
    on_error   = continue
  }

  card "done" {
    action = flow.return
    result = { header = card.a.value, b = card.b.value, err = card.fails.error.message }
  }
}

flow "halts" {
  trigger "fake.event" {
    connection = connection.fake.main
  }
  card "a" {
    action     = fake.step
    connection = connection.fake.main
    id         = "a"
    secret     = trigger.password
    value      = var.api_key
  }
  card "a2" {
    action     = fake.step
    connection = connection.fake.main
    id         = "a2"
    secret     = env("FAKE_SECRET")
  }
  card "fails" {
    action     = fake.step
    connection = connection.fake.main
    id         = "fails"
    on_error   = flow.handler
  }
}

flow "handler" {
  trigger "flow.called" {}
  card "h" {
    action     = fake.step
    connection = connection.fake.main
    id         = "h"
    value      = trigger.input.error.message
  }
}
`

func TestRedaction(t *testing.T) {
	secrets := []string{secretToken, secretVar, secretArg, secretPassword}
	for _, flow := range []string{"f", "halts"} {
		t.Run(flow, func(t *testing.T) {
			h := newHarness(t, redactFlows, withVars(map[string]string{"api_key": secretVar}))
			h.fake.on("fails", func(_ context.Context, _ int, call *connector.Call) (cty.Value, error) {
				return cty.NilVal, &connector.Error{Kind: connector.Permission, Op: "fake.step", Status: 401,
					Message: fmt.Sprintf("token %s, key %s, secret %s, password %s rejected", secretToken, secretVar, secretArg, secretPassword)}
			})
			res, ex := h.run(flow, map[string]any{"user": "u1", "password": secretPassword})
			if flow == "f" && ex.Status != store.Halted && ex.Status != store.Succeeded {
				t.Fatalf("status %s: %v", ex.Status, res.Err)
			}
			executions := []*store.Execution{ex}
			if flow == "halts" {
				if ex.Status != store.Failed {
					t.Fatalf("status %s, want failed", ex.Status)
				}
				pending, err := h.store.Claim(context.Background(), "test", 1, 0, store.ClaimOptions{})
				if err != nil || len(pending) != 1 {
					t.Fatalf("error flow: %v, %d enqueued", err, len(pending))
				}
				_, hex := h.execute(pending[0], "handler")
				executions = append(executions, pending[0], hex)
			}

			// The actions got the real values.
			h.fake.mu.Lock()
			for _, tok := range h.fake.tokens {
				if tok != secretToken {
					t.Errorf("the client's token is %q", tok)
				}
			}
			a := h.fake.inputs["a"][0]
			h.fake.mu.Unlock()
			if flow == "f" {
				if got := a.GetAttr("value").AsString(); got != "Bearer "+secretVar {
					t.Errorf("a got value %q", got)
				}
				if got := a.GetAttr("secret").AsString(); got != secretArg {
					t.Errorf("a got secret %q", got)
				}
				// What the journal shows of a's inputs.
				j := h.journal(ex.ID)
				want := map[string]any{"id": "a", "value": runtime.Redacted, "secret": runtime.Redacted}
				if diff := cmp.Diff(want, jsonOf(t, j[0].Input)); diff != "" {
					t.Errorf("a's journaled input (-want +got):\n%s", diff)
				}
			}

			// Nothing stored or logged holds a secret.
			var stored []string
			for _, e := range executions {
				stored = append(stored, string(e.Output), e.Error, string(e.Payload))
				for _, en := range h.journal(e.ID) {
					stored = append(stored, string(en.Input), string(en.Output), en.Error)
				}
			}
			logs := h.logs.String()
			if logs == "" {
				t.Fatal("nothing was logged")
			}
			for _, s := range secrets {
				for _, text := range stored {
					if s == secretPassword && strings.Contains(text, `"password"`) {
						continue // the trigger event itself is the execution's input
					}
					if strings.Contains(text, s) {
						t.Errorf("stored: %s\nholds %s", text, s)
					}
				}
				if strings.Contains(logs, s) {
					t.Errorf("the logs hold %s:\n%s", s, logs)
				}
			}
		})
	}
}
