# Flow tables imported from Okta Workflows. Okta Workflows keys rows by a generated row id; cardflow keys them by a column: the first column is the key here, check that it is unique.

# Okta Workflows table "Approvals".
table "approvals" {
  columns = {
    userId   = string
    login    = string
    incident = string
    status   = string
  }
  key = "userId"
}
