package importer

// The ServiceNow connector's cards.

var servicenowCards = map[string]*actionMapping{
	"hTTPRequest": {
		action: "servicenow.api_call", connection: "servicenow",
		inputs:  map[string]string{"parameters/requestType": "method", "Relative URL": "path", "Query": "query", "Headers": "headers", "Body": "body"},
		outputs: map[string]string{"Status Code": ".status", "Body": ".body", "Headers": ".headers"},
	},
	"createIncident": {
		action: "servicenow.create_record", connection: "servicenow",
		fixed:   map[string]string{"table": `"incident"`},
		built:   map[string]bool{"Incident": true},
		outputs: map[string]string{"Incident Number": ".number", "System ID": ".sys_id"},
		build:   snowFields("Incident"),
	},
	"updateTask": {
		action: "servicenow.update_record", connection: "servicenow",
		inputs:  map[string]string{"Task/System ID": "sys_id", "parameters/task_type": "table", "parameters/updateEmptyInputs": "-"},
		outputs: map[string]string{"Status Code": ".record.sys_mod_count"},
		build:   snowFields("Task"),
		built:   map[string]bool{"Task": true},
		note:    "ServiceNow field names are written as snake_case labels; check them against the table's columns.",
	},
}

// snowFields gathers a card's group of inputs into fields, named as
// ServiceNow's columns (Short description → short_description), as strings.
func snowFields(group string) func(*flowConv, *Method, *block) bool {
	return func(fc *flowConv, m *Method, b *block) bool {
		var keys []string
		vals := map[string]string{}
		for _, f := range m.Inputs {
			if f.Group != group || f.Key == "System ID" {
				continue
			}
			if e, ok := fc.input(m, f); ok {
				k := snake(f.Key)
				keys = append(keys, k)
				vals[k] = "tostring(" + e + ")"
			}
		}
		b.set("fields", object(keys, vals))
		return true
	}
}
