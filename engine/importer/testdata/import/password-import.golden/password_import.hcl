# Imported from Okta Workflows: the flow "Password Import".
flow "password_import" {
  trigger "http.endpoint" {
    token     = env("PASSWORD_IMPORT_CLIENT_TOKEN")
    sensitive = ["data.context.credential.password"]
    reply     = "result"
  }

  card "return" {
    action = flow.return
    result = {
      verdict = "VERIFIED"
    }
  }
}
