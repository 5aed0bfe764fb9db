# A receipt answers once the event is stored and waits for nothing: a
# reply_timeout beside it is not used.
flow "receipt_with_timeout" {
  trigger "http.endpoint" {
    token         = env("HR_ENDPOINT_TOKEN")
    reply         = "receipt"
    reply_timeout = "2500ms" # WARNING: Reply timeout without a waiting reply ~ Set reply = "result" or "raw"
  }

  card "stop" {
    action = flow.return
  }
}

# receipt is the default; a timeout written as the default value is still written.
flow "default_with_timeout" {
  trigger "http.endpoint" {
    token         = env("HR_ENDPOINT_TOKEN")
    reply_timeout = "10s" # WARNING: Reply timeout without a waiting reply
  }

  card "stop" {
    action = flow.return
  }
}

# A reply that waits uses it.
flow "result_with_timeout" {
  trigger "http.endpoint" {
    token         = env("HR_ENDPOINT_TOKEN")
    reply         = "result"
    reply_timeout = "2500ms"
  }

  card "stop" {
    action = flow.return
    result = { ok = true }
  }
}
