# Sensitive fields are never stored, so an execution of the flow cannot be
# parked: a flow.wait holds its worker, and the execution can be neither
# canceled nor woken meanwhile.
flow "import_password_then_wait" {
  trigger "http.endpoint" {
    token     = env("HR_ENDPOINT_TOKEN")
    sensitive = ["data.context.credential.password"]
  }

  card "pause" {
    action = flow.wait # WARNING: Wait holds a worker ~ can be neither canceled nor woken
    for    = "1h"
  }

  card "stop" {
    action = flow.return
  }
}

# Without sensitive fields the execution parks: no warning.
flow "wait_and_park" {
  trigger "http.endpoint" {
    token = env("HR_ENDPOINT_TOKEN")
  }

  card "pause" {
    action = flow.wait
    for    = "1h"
  }
}
