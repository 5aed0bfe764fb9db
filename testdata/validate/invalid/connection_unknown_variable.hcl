connection "okta" "main" {
  org_url = var.okta_org # ERROR: Unknown variable ~ Did you mean "okta_url"?
  token   = env("OKTA_API_TOKEN")
}

variable "okta_url" {
  type    = string
  default = "https://acme.okta.com"
}
