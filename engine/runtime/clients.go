package runtime

import (
	"fmt"
	"sync"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/plan"
)

// Clients provisions connection clients and keeps each one while its
// connection's settings are unchanged, across reloads.
type Clients struct {
	mu      sync.Mutex
	clients map[string]connector.Client // by Connection.Hash
}

// NewClients returns an empty pool.
func NewClients() *Clients { return &Clients{clients: map[string]connector.Client{}} }

// Get returns the client of conn, opening it on first use.
func (p *Clients) Get(conn *plan.Connection) (connector.Client, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if c, ok := p.clients[conn.Hash]; ok {
		return c, nil
	}
	if conn.Connector.Open == nil {
		return nil, fmt.Errorf("connector %s cannot open connections", conn.Connector.Name)
	}
	cfg, _ := conn.Config.UnmarkDeep()
	c, err := conn.Connector.Open(cfg)
	if err != nil {
		return nil, fmt.Errorf("connection %s: %w", conn.Addr, err)
	}
	p.clients[conn.Hash] = c
	return c, nil
}

// Provide sets the client of conn: Get returns it instead of opening one.
// Flow tests serve connections from mocks and emulators this way.
func (p *Clients) Provide(conn *plan.Connection, c connector.Client) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clients[conn.Hash] = c
}

// Retain closes every client whose connection is not in keep (the
// connections of the generations still running).
func (p *Clients) Retain(keep ...*plan.Generation) {
	live := map[string]bool{}
	for _, g := range keep {
		if g == nil {
			continue
		}
		for _, c := range g.Connections {
			live[c.Hash] = true
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for h, c := range p.clients {
		if !live[h] {
			_ = c.Close()
			delete(p.clients, h)
		}
	}
}

// Close closes every client.
func (p *Clients) Close() {
	p.Retain()
}
