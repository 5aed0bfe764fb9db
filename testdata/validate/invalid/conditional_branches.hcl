# Both results of a conditional are checked, whichever the condition picks:
# while validating, a condition over the trigger or a card is unknown, and a
# condition over a variable may go the other way with another --var.
variable "flag" {
  type    = bool
  default = false
}

flow "conditional_branches" {
  trigger "okta.event_hook" {
    connection  = connection.okta.main
    event_types = ["user.lifecycle.create"]
  }

  card "read_user" {
    action     = okta.read_user
    connection = connection.okta.main
    user       = trigger.event.uuid != "" ? trigger.event.target[0].id : trigger.event.nope.deeper # ERROR: Unsupported attribute ~ "nope"
  }

  card "by_flag" {
    action = text.compose
    text   = var.flag ? trigger.event.nope : "a" # ERROR: Unsupported attribute ~ "nope"
  }

  card "in_template" {
    action = text.compose
    text   = "status ${card.read_user.id != "" ? card.read_user.stauts : "none"}" # ERROR: Unsupported attribute ~ Did you mean "status"?
  }

  card "in_for" {
    action = text.compose
    text   = join(",", [for t in trigger.event.target : t.type == "User" ? t.nmae : t.id]) # ERROR: Unsupported attribute ~ "nmae"
  }

  card "operand" {
    action = text.compose
    text   = card.read_user.id != "" ? 1 + "x" : "a" # ERROR: Invalid operand
  }

  card "later" {
    action = text.compose
    text   = trigger.event.uuid != "" ? card.last.text : "" # ERROR: Reference to a later card
  }

  card "last" {
    action = text.compose
    text   = "last"
  }
}

connection "okta" "main" {
  org_url = env("OKTA_ORG_URL")
  token   = env("OKTA_API_TOKEN")
}
