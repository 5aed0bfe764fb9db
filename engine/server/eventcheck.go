package server

import (
	"errors"
	"fmt"

	"github.com/cardflow/cardflow/engine/connector"
)

// checkEvent checks event i of a delivery of n against its trigger before
// anything of the delivery is stored (connector.CheckEvent): a malformed
// event is refused with 400 naming the field, never acknowledged to fail
// its execution later. The error says which event of a batch it was.
func checkEvent(ev *connector.Event, spec *connector.Trigger, i, n int) error {
	err := connector.CheckEvent(ev, spec)
	var ce *connector.Error
	if err == nil || n == 1 || !errors.As(err, &ce) {
		return err
	}
	which := *ce
	which.Message = fmt.Sprintf("event %d of %d: %s", i+1, n, ce.Message)
	return &which
}
