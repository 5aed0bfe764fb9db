run "opens one" {
  flow    = flow.open
  trigger = {}
  mock "servicenow.create_record" {
    output = { created = true, table = "incident", sys_id = "1", number = "INC0010001", record = {} }
  }
  expect_call "servicenow.create_record" { count = 1 }
}
