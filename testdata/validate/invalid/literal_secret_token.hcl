connection "okta" "main" {
  org_url = env("OKTA_ORG_URL")
  token   = "00QCjAl4MlV-WPXM-ABCDEFGHIJKLMNOPQRSTUVWXYZ" # ERROR: Literal secret ~ env(
}
