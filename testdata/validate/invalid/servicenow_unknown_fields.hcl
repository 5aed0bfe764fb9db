# ServiceNow takes a misspelt field without an error (a write drops it, a
# query ignores the condition on it): validate warns when the name is a few
# letters from a field of a table cardflow knows. Custom fields (u_, x_),
# names far from every field and tables cardflow does not know are left alone.
flow "request" {
  trigger "servicenow.record_updated" {
    connection = connection.servicenow.main
    table      = "incident"
    query      = "correlation_display=cardflow^stat=6" # WARNING: Unknown ServiceNow field ~ no field "stat". Did you mean "state"?
    fields     = ["number", "corelation_id"]            # WARNING: Unknown ServiceNow field ~ Did you mean "correlation_id"?
  }

  card "open" {
    action            = servicenow.create_record
    connection        = connection.servicenow.main
    table             = "incident"
    idempotency_key   = trigger.record.sys_id
    idempotency_field = "corelation_id" # WARNING: Unknown ServiceNow field ~ would match another record
    fields = {
      short_descripton = "Access for ${trigger.record.number}" # WARNING: Unknown ServiceNow field ~ Did you mean "short_description"?
      description      = "Opened by cardflow"
      u_cost_center    = "4711"
      x_acme_badge     = "B-12"
      business_impact  = "low"
    }
  }

  card "custom_table" {
    action     = servicenow.create_record
    connection = connection.servicenow.main
    table      = "u_access_request"
    fields = {
      short_descripton = "not a table cardflow knows: left alone"
    }
  }

  card "resolve" {
    action     = servicenow.resolve_incident
    connection = connection.servicenow.main
    sys_id     = card.open.sys_id
    close_code = "Solution provided"
    close_notes = "Done"
    fields = {
      work_note = "resolved by cardflow" # WARNING: Unknown ServiceNow field ~ Did you mean "work_notes"?
    }
  }

  card "find" {
    action     = servicenow.search_records
    connection = connection.servicenow.main
    table      = "sys_user"
    query      = "active=true^user_name=${card.open.number}"
    fields     = ["user_name", "manager.email", "emial"] # WARNING: Unknown ServiceNow field ~ Did you mean "email"?
  }
}

connection "servicenow" "main" {
  instance_url = env("SERVICENOW_INSTANCE_URL")
  username     = env("SERVICENOW_USERNAME")
  password     = env("SERVICENOW_PASSWORD")
}

# A choice given by its label where the Table API takes its value.
flow "labels" {
  trigger "servicenow.record_updated" {
    connection = connection.servicenow.main
    table      = "incident"
    query      = "state=Resolved^impactIN1,2" # WARNING: ServiceNow choice label instead of its value ~ write state "6"
  }

  card "update" {
    action     = servicenow.update_record
    connection = connection.servicenow.main
    table      = "incident"
    sys_id     = trigger.record.sys_id
    fields = {
      urgency  = "High" # WARNING: ServiceNow choice label instead of its value ~ whose value is "1"
      impact   = "2"
      category = "software"
      state    = "${trigger.record.state}"
    }
  }
}

# Records hold a choice field's value: a predicate comparing it with the
# label is never true.
flow "label_predicates" {
  trigger "servicenow.record_updated" {
    connection = connection.servicenow.main
    table      = "incident"
    filter     = "record.state == 'Resolved' || trigger.record.state == '7'" # WARNING: ServiceNow choice label instead of its value ~ compare record.state with "6"
  }

  card "note" {
    action     = servicenow.add_work_note
    connection = connection.servicenow.main
    if         = "trigger.record.impact in ['1', 'Low'] && record.number != 'High'" # WARNING: ServiceNow choice label instead of its value ~ whose value is "3"
    sys_id     = trigger.record.sys_id
    note       = "seen"
  }
}

# A record a card read or wrote holds values too.
flow "label_outputs" {
  trigger "schedule.cron" {
    cron = "0 8 * * 1-5"
  }

  card "read" {
    action     = servicenow.read_record
    connection = connection.servicenow.main
    table      = "incident"
    number     = "INC0010001"
  }

  card "close" {
    action     = servicenow.close_incident
    connection = connection.servicenow.main
    if         = "card.read.record.state != 'Closed' && card.read.record.state != '8'" # WARNING: ServiceNow choice label instead of its value ~ compare record.state with "7"
    sys_id     = card.read.sys_id
  }

  card "after" {
    action     = servicenow.add_work_note
    connection = connection.servicenow.main
    if         = "card.close.record.incident_state == '7' && card.close.record.urgency == 'Low'" # WARNING: ServiceNow choice label instead of its value ~ whose value is "3"
    sys_id     = card.read.sys_id
    note       = "closed"
  }
}
