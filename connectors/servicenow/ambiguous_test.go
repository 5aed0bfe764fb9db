package servicenow_test

import (
	"errors"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/connectors/servicenow/emulator"
	"github.com/cardflow/cardflow/engine/connector"
)

// countIncidents counts the incidents whose correlation_id is key.
func countIncidents(t *testing.T, in *instance, key string) int {
	t.Helper()
	v := mustRun(t, in.c, "search_records", map[string]cty.Value{"table": str("incident"), "query": str("correlation_id=" + key)})
	n, _ := v.GetAttr("count").AsBigFloat().Int64()
	return int(n)
}

// TestAmbiguousCreateMakesOneIncident reproduces a create that the instance
// commits after the client's timeout: the retry that comes back before the
// instance committed must not create a second incident; the one after the
// wait finds the first.
func TestAmbiguousCreateMakesOneIncident(t *testing.T) {
	const wait = 1500 * time.Millisecond
	in := newInstance(t, emulator.Options{}, map[string]cty.Value{
		"username": str(svcUser), "password": str(svcPass),
		"timeout": str("200ms"), "ambiguous_create_wait": str(wait.String()),
	})
	// The instance takes 800ms and commits though the client gave up.
	in.emu.Inject(emulator.Fault{Method: "POST", PathPrefix: "/api/now/table/incident", Latency: 800 * time.Millisecond, Detach: true})
	create := map[string]cty.Value{
		"table": str("incident"), "idempotency_key": str("00u-ambiguous"),
		"fields": strMap("short_description", "Approve access"),
	}
	sent := time.Now()
	_, err := run(t, in.c, "create_record", create)
	ce := asError(t, err)
	if ce.Kind != connector.Transient || ce.RetryAt.Before(sent.Add(wait)) || ce.RetryAt.After(time.Now().Add(wait)) {
		t.Fatalf("first attempt: kind %v, RetryAt %v (sent %v): %v; want transient, retry at sent + %s", ce.Kind, ce.RetryAt, sent, err, wait)
	}
	// A retry at once (a retry policy that ignored RetryAt, or another
	// execution with the same key) finds nothing yet and must not POST.
	posts := in.emu.Requests()
	_, err = run(t, in.c, "create_record", create)
	if ce := asError(t, err); ce.Kind != connector.Transient || ce.RetryAt.IsZero() {
		t.Fatalf("retry before the wait: %v, want transient with RetryAt", err)
	}
	if n := in.emu.Requests() - posts; n != 1 {
		t.Errorf("retry before the wait sent %d requests, want only its lookup", n)
	}
	time.Sleep(time.Until(ce.RetryAt))
	v, err := run(t, in.c, "create_record", create)
	if err != nil {
		t.Fatalf("retry after the wait: %v", err)
	}
	if field(v, "number") == "" {
		t.Errorf("retry after the wait returned %v, want the committed incident", v)
	}
	if n := countIncidents(t, in, "00u-ambiguous"); n != 1 {
		t.Errorf("%d incidents, want 1", n)
	}
}

// A lost answer whose record never appears is created again after the wait.
func TestAmbiguousCreateNeverCommittedIsCreatedAfterTheWait(t *testing.T) {
	const wait = 300 * time.Millisecond
	in := newInstance(t, emulator.Options{}, map[string]cty.Value{
		"username": str(svcUser), "password": str(svcPass), "ambiguous_create_wait": str(wait.String()),
	})
	in.emu.Inject(emulator.Fault{Method: "POST", PathPrefix: "/api/now/table/incident", Drop: true})
	create := map[string]cty.Value{
		"table": str("incident"), "idempotency_key": str("00u-dropped"),
		"fields": strMap("short_description", "Approve access"),
	}
	_, err := run(t, in.c, "create_record", create)
	ce := asError(t, err)
	var cause *connector.Error
	if ce.Kind != connector.Transient || ce.RetryAt.IsZero() || !errors.As(err, &cause) {
		t.Fatalf("dropped create: %v, want transient with RetryAt", err)
	}
	time.Sleep(time.Until(ce.RetryAt))
	v, err := run(t, in.c, "create_record", create)
	if err != nil || v.GetAttr("created") != cty.True {
		t.Fatalf("after the wait: %v %v, want a created record", v, err)
	}
	if n := countIncidents(t, in, "00u-dropped"); n != 1 {
		t.Errorf("%d incidents, want 1", n)
	}
}
