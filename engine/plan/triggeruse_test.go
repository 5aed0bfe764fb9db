package plan_test

import (
	"fmt"
	"testing"
)

// TestTriggerUse checks the part of the trigger value each flow's
// expressions read, which is all the runtime decodes of its events.
func TestTriggerUse(t *testing.T) {
	const trigger = `
  trigger "okta.event_hook" {
    connection  = connection.okta.main
    event_types = ["user.lifecycle.create"]
    %s
  }
`
	card := func(name, action, body string) string {
		return fmt.Sprintf("\n  card %q {\n    action = %s\n    %s\n  }\n", name, action, body)
	}
	cases := []struct {
		name    string
		filter  string // the trigger's filter argument, if any
		cards   string
		want    string
		helpers string // more flows beside it
	}{{
		name: "the incident job",
		cards: `
  card "incident" {
    action     = servicenow.create_record
    connection = connection.servicenow.main
    table      = "incident"
    fields = {
      short_description = "New hire onboarding: ${trigger.event.target[0].displayName}"
      description       = "Okta user ${trigger.event.target[0].displayName} <${trigger.event.target[0].alternateId}> was created."
      correlation_id    = trigger.event.uuid
    }
  }`,
		want: "event.target[*].alternateId, event.target[*].displayName, event.uuid",
	}, {
		name:  "no reference",
		cards: card("t", "text.compose", `text = "hello"`),
		want:  "(none)",
	}, {
		name:  "bare trigger",
		cards: card("j", "json.build", `value = { e = trigger.event.uuid, all = trigger }`),
		want:  "(all)",
	}, {
		name:  "a whole object",
		cards: card("j", "json.build", `value = trigger.event.actor`),
		want:  "event.actor",
	}, {
		name:  "index by key",
		cards: card("j", "json.build", `value = trigger["event"]["outcome"].result`),
		want:  "event.outcome.result",
	}, {
		name: "dynamic index",
		cards: card("j", "json.build", `value = "1"`) +
			card("k", "json.build", `value = trigger.event.target[card.j.text == "1" ? 0 : 1].id`) +
			card("l", "json.build", `value = trigger.event.actor[card.j.text].id`),
		want: "event.actor, event.target",
	}, {
		name: "function calls and templates",
		cards: `card "t" {
    action = text.compose
    text   = "${upper(trigger.event.actor.displayName)} %{if trigger.event.outcome.result == "SUCCESS"}ok%{endif} ${join(",", [trigger.delivery.source])}"
  }`,
		want: "delivery.source, event.actor.displayName, event.outcome.result",
	}, {
		name: "a for expression and a splat",
		cards: card("j", "json.build", `value = [for t in trigger.event.target : t.id]`) +
			card("k", "json.build", `value = trigger.user.id`) +
			card("l", "json.build", `value = trigger.event.client.userAgent[*].os`),
		want: "event.client.userAgent, event.target, user.id",
	}, {
		name: "for_each and each",
		cards: `card "j" {
    action   = json.build
    for_each = trigger.event.target
    value    = "${each.value.id} ${trigger.event.severity}"
  }`,
		want: "event.severity, event.target",
	}, {
		name: "if",
		cards: `card "t" {
    action = text.compose
    if     = "trigger.event.actor.type == 'User' && len(trigger.event.target[0].id) > 0 && event.outcome.result != ''"
    text   = "x"
  }`,
		want: "event.actor.type, event.outcome.result, event.target[*].id",
	}, {
		name: "if over a whole list",
		cards: `card "t" {
    action = text.compose
    if     = "any(trigger.event.target, .type == 'User')"
    text   = "x"
  }`,
		want: "event.target",
	}, {
		name:   "filter",
		filter: `filter = "event.severity == 'INFO' && trigger.delivery.event_id != ''"`,
		cards:  card("t", "text.compose", `text = trigger.event.uuid`),
		want:   "delivery.event_id, event.severity, event.uuid",
	}, {
		name:   "a filter reading everything",
		filter: `filter = "len($env.trigger.event.target) > 0"`,
		cards:  card("t", "text.compose", `text = trigger.event.uuid`),
		want:   "(all)",
	}, {
		name: "flow.call input",
		cards: `card "c" {
    action = flow.call
    flow   = flow.helper
    input  = { id = trigger.event.target[0].id }
  }`,
		helpers: `
flow "helper" {
  trigger "flow.called" {}
  card "r" {
    action = flow.return
    result = trigger.input.id
  }
}`,
		want: "event.target[*].id",
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := connections + `
flow "f" {` + fmt.Sprintf(trigger, tc.filter) + tc.cards + `
}
` + tc.helpers
			gen := compile(t, map[string][]byte{"f.hcl": []byte(src)})
			if got := gen.Flows["f"].TriggerUse.String(); got != tc.want {
				t.Errorf("TriggerUse = %s\nwant         %s", got, tc.want)
			}
		})
	}
}

// TestTriggerUseOfHelperFlow checks the paths of a flow.called trigger,
// whose input is dynamic: any reference into it is all of it.
func TestTriggerUseOfHelperFlow(t *testing.T) {
	src := `
flow "helper" {
  trigger "flow.called" {}
  card "r" {
    action = flow.return
    result = trigger.input.id
  }
}`
	gen := compile(t, map[string][]byte{"f.hcl": []byte(src)})
	if got, want := gen.Flows["helper"].TriggerUse.String(), "input"; got != want {
		t.Errorf("TriggerUse = %s, want %s", got, want)
	}
}

const connections = `
connection "okta" "main" {
  org_url           = "https://acme.okta.com"
  token             = env("OKTA_TOKEN")
  event_hook_secret = env("OKTA_HOOK_SECRET")
}

connection "servicenow" "main" {
  instance_url = "https://acme.service-now.com"
  username     = "svc"
  password     = env("SNOW_PASSWORD")
}
`
