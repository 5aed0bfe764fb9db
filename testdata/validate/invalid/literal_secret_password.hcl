connection "servicenow" "main" {
  instance_url = env("SERVICENOW_INSTANCE_URL")
  username     = "cardflow"
  password     = "Winter2026!" # ERROR: Literal secret ~ env(
}
