connection "servicenow" "main" {
  instance_url = env("SERVICENOW_INSTANCE_URL")
  username     = card.lookup.username # ERROR: Invalid reference
  password     = env("SERVICENOW_PASSWORD")
}
