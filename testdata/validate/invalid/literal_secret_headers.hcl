flow "badge_sync" {
  trigger "schedule.cron" {
    cron = "0 6 * * *"
  }

  card "push" {
    action = http.request
    method = "POST"
    url    = "https://badges.example.com/api/sync"
    secret_headers = { # ERROR: Literal secret ~ env(
      Authorization = "Bearer 0aB1cD2eF3"
    }
  }

  card "push_from_env" {
    action         = http.request
    url            = "https://badges.example.com/api/sync"
    secret_headers = { Authorization = "Bearer ${env("BADGE_TOKEN")}" } # ERROR: Environment variable not set
  }
}
