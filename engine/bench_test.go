package engine_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cardflow/cardflow/engine"
	"github.com/cardflow/cardflow/internal/benchcpu"
)

// BenchmarkValidate loads and checks a generated tree of 1,000 realistic
// flow files (5–8 cards each, shared connections, variables and tables):
// the whole of cardflow validate but the printing. The goal is under one
// second per load on a 2-core machine.
func BenchmarkValidate(b *testing.B) {
	dir := b.TempDir()
	writeTree(b, dir, 1000)
	opts := checkerOptions()
	b.ReportAllocs()
	// CPU time (user+system, all threads) per load: the wall time of a
	// shared machine depends on its other tenants; this does not.
	defer benchcpu.PerOp(b)()
	for b.Loop() {
		gen, _, diags := engine.Load([]string{dir}, opts)
		if diags.HasErrors() || len(gen.Flows) != 1001 {
			b.Fatalf("%d flows, diagnostics:\n%s", len(gen.Flows), describeAll(diags))
		}
	}
}

// TestGeneratedTreeIsValid keeps the benchmark's tree honest: it must be
// valid, or the benchmark measures the error path.
func TestGeneratedTreeIsValid(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, 40)
	gen, _, diags := engine.Load([]string{dir}, checkerOptions())
	for _, d := range diags {
		t.Errorf("unexpected %s", describe(d))
	}
	if len(gen.Flows) != 41 {
		t.Errorf("%d flows, want 41 (40 and the error handler)", len(gen.Flows))
	}
}

const treeShared = `
connection "okta" "main" {
  org_url           = env("OKTA_ORG_URL")
  token             = env("OKTA_API_TOKEN")
  event_hook_secret = env("OKTA_EVENT_HOOK_SECRET")
}

connection "servicenow" "main" {
  instance_url = env("SERVICENOW_INSTANCE_URL")
  username     = env("SERVICENOW_USERNAME")
  password     = env("SERVICENOW_PASSWORD")
}

variable "groups" {
  type    = list(string)
  default = ["Employees", "VPN Users"]
}

variable "department_groups" {
  type    = map(string)
  default = { Engineering = "Engineering", Sales = "Sales Team" }
}

variable "poll_interval" {
  type    = string
  default = "5m"
}

table "approvals" {
  columns = {
    user_id  = string
    login    = string
    incident = string
    status   = string
  }
  key = "user_id"
}

flow "notify_failure" {
  trigger "flow.called" {}

  card "compose" {
    action = text.compose
    text   = "flow ${trigger.caller.flow} failed in ${trigger.caller.execution_id}"
  }
}
`

// treeFlows are the shapes of the generated flows; %d is the flow number.
var treeFlows = []string{`
flow "request_approval_%d" {
  on_error = flow.notify_failure

  trigger "okta.event_hook" {
    connection  = connection.okta.main
    event_types = ["user.lifecycle.create", "user.lifecycle.activate"]
    filter      = "event.target[0].type == 'User'"
  }

  card "read_user" {
    action     = okta.read_user
    connection = connection.okta.main
    user       = trigger.event.target[0].id
  }

  card "description" {
    action = text.compose
    text   = "Approve ${card.read_user.login} (${coalesce(card.read_user.profile.department, "-")}) for ${join(", ", var.groups)}."
  }

  card "incident" {
    action          = servicenow.create_record
    connection      = connection.servicenow.main
    table           = "incident"
    idempotency_key = card.read_user.id
    fields = {
      short_description = "Approve access for ${card.read_user.login}"
      description       = card.description.text
      correlation_id    = card.read_user.id
    }
  }

  card "remember" {
    action = table.put
    table  = table.approvals
    key    = card.read_user.id
    row = {
      user_id  = card.read_user.id
      login    = card.read_user.login
      incident = card.incident.number
      status   = "pending"
    }
  }

  card "note" {
    action     = servicenow.add_work_note
    connection = connection.servicenow.main
    if         = "card.incident.created"
    table      = "incident"
    sys_id     = card.incident.sys_id
    note       = "Opened by cardflow for ${card.read_user.display_name}."
  }
}
`, `
flow "provision_%d" {
  trigger "servicenow.record_updated" {
    connection = connection.servicenow.main
    table      = "incident"
    query      = "correlation_display=cardflow^state=6"
    every      = var.poll_interval
    filter     = "record.state == '6' && record.correlation_id != ''"
  }

  card "approval" {
    action = table.get
    table  = table.approvals
    key    = trigger.record.correlation_id
  }

  card "not_waiting" {
    action = flow.return
    if     = "!card.approval.found || card.approval.row.status != 'pending'"
    status = "halted"
    reason = "no approval is pending"
  }

  card "add_groups" {
    action     = okta.add_user_to_group
    connection = connection.okta.main
    for_each   = var.groups
    user       = trigger.record.correlation_id
    group      = each.value

    retry {
      attempts = 5
      backoff  = "2s"
    }
  }

  card "read_user" {
    action     = okta.read_user
    connection = connection.okta.main
    user       = trigger.record.correlation_id
  }

  card "activate" {
    action     = okta.activate_user
    connection = connection.okta.main
    if         = "card.read_user.status != 'ACTIVE'"
    user       = card.read_user.id
    send_email = true
  }

  card "close" {
    action      = servicenow.close_incident
    connection  = connection.servicenow.main
    sys_id      = trigger.record.sys_id
    close_code  = "Solution provided"
    close_notes = "Granted ${join(", ", var.groups)} to ${card.read_user.login}."
  }

  card "done" {
    action = table.put
    table  = table.approvals
    key    = trigger.record.correlation_id
    row    = merge(card.approval.row, { status = "approved" })
  }
}
`, `
flow "department_sync_%d" {
  trigger "schedule.cron" {
    cron     = "0 6 * * 1-5"
    timezone = "Europe/Berlin"
  }

  card "users" {
    action     = okta.search_users
    connection = connection.okta.main
    search     = "profile.department eq \"Engineering\""
    limit      = 200
  }

  card "groups" {
    action     = okta.list_user_groups
    connection = connection.okta.main
    user       = card.users.users[0].id
  }

  card "join" {
    action     = okta.add_user_to_group
    connection = connection.okta.main
    for_each   = var.department_groups
    if         = "card.users.count > 0 && each.key == 'Engineering'"
    user       = card.users.users[0].id
    group      = each.value
    timeout    = "30s"
    on_error   = continue
  }

  card "leave" {
    action     = okta.remove_user_from_group
    connection = connection.okta.main
    for_each   = { for g in card.groups.groups : g.id => g.name if !contains(values(var.department_groups), g.name) }
    user       = card.users.users[0].id
    group      = each.key
  }

  card "summary" {
    action = text.compose
    text   = "${card.users.count} users checked."
  }
}
`}

// writeTree writes n flow files and the shared declarations under dir.
func writeTree(tb testing.TB, dir string, n int) {
	tb.Helper()
	files := map[string]string{"shared.hcl": treeShared}
	for i := range n {
		name := filepath.Join(fmt.Sprintf("team%02d", i%20), fmt.Sprintf("flow%04d.hcl", i))
		files[name] = fmt.Sprintf(strings.TrimPrefix(treeFlows[i%len(treeFlows)], "\n"), i)
	}
	for name, src := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
}
