# Imported from Okta Workflows: a part of the flow "Access Certification Decision", cut out as a helper flow.
flow "access_certification_decision_for_each_ignore_errors" {
  trigger "flow.called" {
  }

  card "return" {
    action = flow.return
    result = {
      item  = trigger.input["Review Item"]
      debug = trigger.input["Debug Context"]
    }
  }
}
