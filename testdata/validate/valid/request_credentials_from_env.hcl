# Credentials read from the environment or a sensitive variable, and
# headers that only look like credentials, are not literal secrets.
variable "partner_token" {
  type      = string
  sensitive = true
}

flow "badge_sync" {
  trigger "schedule.cron" {
    cron = "0 6 * * *"
  }

  card "from_env" {
    action = http.request
    method = "POST"
    url    = "https://badges.example.com/api/sync"
    headers = {
      Content-Type  = "application/json"
      Accept        = "application/json"
      Authorization = "Bearer ${env("HR_ENDPOINT_TOKEN")}"
      X-Api-Key     = env("HR_ENDPOINT_TOKEN")
      X-Auth-Token  = ""
    }
    query = { page_token = "", oauthTokens = "true" }
  }

  card "from_variable" {
    action = http.request
    url    = "https://partner.example.com/v1/users"
    headers = {
      Authorization = "Bearer ${var.partner_token}"
      "X-Request-Id" = "cardflow-badge-sync"
    }
    secret_headers = { X-Partner-Key = var.partner_token }
  }

  card "text_headers" {
    action  = http.request
    url     = "https://partner.example.com/v1/users"
    headers = jsondecode("{\"Accept\": \"application/json\", \"X-Auth-Token\": \"\"}")
  }
}
