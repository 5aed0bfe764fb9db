# Sensitive values reach flow settings and table names without panicking;
# their literal defaults are still secrets in a flow file.
variable "enabled" {
  type      = bool
  sensitive = true
  default   = true
}

variable "table_name" {
  type      = string
  sensitive = true
  default   = "approvals" # ERROR: Literal secret
}

table "approvals" {
  columns = { user_id = string, status = string }
  key     = "user_id"
}

flow "lookup" {
  enabled = var.enabled

  trigger "flow.called" {}

  card "approval" {
    action = table.get
    table  = var.table_name
    key    = trigger.input.user_id
  }

  card "status" {
    action = text.compose
    text   = card.approval.row.status
  }
}
