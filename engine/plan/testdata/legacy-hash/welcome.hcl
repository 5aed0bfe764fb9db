# A definition pinned by cardflow before connection secrets were left out
# of definition hashes. The hashes it had then are in hash_test.go: do not
# edit this file.

variable "group" {
  type    = string
  default = "Employees"
}

variable "api_key" {
  type      = string
  sensitive = true
  default   = null
}

table "welcomed" {
  key = "login"
  columns = {
    login = string
  }
}

connection "okta" "main" {
  org_url           = env("OKTA_ORG_URL")
  token             = env("OKTA_API_TOKEN")
  event_hook_secret = env("OKTA_EVENT_HOOK_SECRET")
}

flow "welcome" {
  trigger "okta.event_hook" {
    connection  = connection.okta.main
    event_types = ["user.lifecycle.create"]
  }

  card "read_user" {
    action     = okta.read_user
    connection = connection.okta.main
    user       = trigger.event.target[0].id
  }

  card "join" {
    action     = okta.add_user_to_group
    connection = connection.okta.main
    user       = card.read_user.id
    group      = var.group
  }
}
