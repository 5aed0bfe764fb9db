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

  # Values that are never credentials, and names about a credential.
  card "token_request" {
    action = http.request
    method = "POST"
    url    = "https://oauth2.example.com/token"
    headers = {
      Authorization = "Bearer"
      X-Api-Key     = "application/json"
    }
    query = {
      token_type                 = "SAML_PASSWORD"
      token_endpoint_auth_method = "client_secret_basic"
      hasPassword                = "No"
      client_secret              = env("HR_ENDPOINT_TOKEN")
    }
  }

  card "text_headers" {
    action  = http.request
    url     = "https://partner.example.com/v1/users"
    headers = jsondecode("{\"Accept\": \"application/json\", \"X-Auth-Token\": \"\"}")
  }
}
