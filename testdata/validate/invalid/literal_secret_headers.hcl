flow "badge_sync" {
  trigger "schedule.cron" {
    cron = "0 6 * * *"
  }

  card "push" {
    action = http.request
    method = "POST"
    url    = "https://badges.example.com/api/sync"
    secret_headers = {
      Authorization = "Bearer 0aB1cD2eF3" # ERROR: Literal secret ~ env(
    }
  }

  card "push_from_env" {
    action         = http.request
    url            = "https://badges.example.com/api/sync"
    secret_headers = { Authorization = "Bearer ${env("BADGE_TOKEN")}" } # ERROR: Environment variable not set
  }

  # One env() in the map does not excuse a literal beside it.
  card "push_mixed" {
    action = http.request
    url    = "https://badges.example.com/api/sync"
    secret_headers = {
      Authorization = "SSWS ${env("OKTA_API_TOKEN")}"
      X-Tenant-Key  = "tk_live_51HxQ" # ERROR: Literal secret ~ env(
    }
  }

  # A name about a credential does not excuse one that holds it.
  card "token_query" {
    action = http.request
    url    = "https://badges.example.com/api/sync"
    query = {
      token_type    = "Bearer"
      client_secret = "cs_live_8f7e6d" # ERROR: Literal secret ~ env(
    }
  }
}
