package servicenow

import (
	"context"

	"github.com/cardflow/cardflow/engine/connector"
)

// pollKind selects the timestamp a trigger polls on.
type pollKind uint8

const (
	created pollKind = iota
	updated
)

func poll(ctx context.Context, req *connector.PollRequest, kind pollKind) error {
	return connector.Errorf(connector.Other, "servicenow: polling is not implemented yet")
}
