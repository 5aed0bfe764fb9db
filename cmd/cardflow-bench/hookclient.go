package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// hookClient is one keep-alive HTTP/1.1 connection to an engine's hook
// endpoint, owned by one sender. The load generator shares the machine
// with the engine, so what it spends per delivery is taken from the
// engine: net/http's client hands every request between three goroutines
// (the caller, the connection's writer and reader) and builds a request,
// headers and a timer each time, which cost as much CPU again as the
// exchange itself. Here a delivery is one write of prepared bytes and one
// read of the answer (http.ReadResponse), on the sender's goroutine.
type hookClient struct {
	addr, host, path string
	conn             net.Conn
	br               *bufio.Reader
	req              []byte
	stop             func() bool // detaches the context watch of conn
}

// newHookClient returns a client of rawURL (http://host:port/path).
func newHookClient(rawURL string) (*hookClient, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "http" {
		return nil, errors.New("the load generator speaks plain HTTP: " + rawURL)
	}
	return &hookClient{addr: u.Host, host: u.Host, path: u.RequestURI()}, nil
}

// hookTimeout bounds one delivery, as the http.Client's Timeout did.
const hookTimeout = 30 * time.Second

// post sends body with the Authorization header auth and returns the
// answer's status. Any error closes the connection (the next post dials
// again) and the delivery counts as not acknowledged, as a transport error
// of http.Client did.
func (c *hookClient) post(ctx context.Context, auth string, body []byte) (int, error) {
	if c.conn == nil {
		if err := c.dial(ctx); err != nil {
			return 0, err
		}
	}
	c.req = append(c.req[:0], "POST "...)
	c.req = append(c.req, c.path...)
	c.req = append(c.req, " HTTP/1.1\r\nHost: "...)
	c.req = append(c.req, c.host...)
	c.req = append(c.req, "\r\nUser-Agent: cardflow-bench\r\nAuthorization: "...)
	c.req = append(c.req, auth...)
	c.req = append(c.req, "\r\nContent-Type: application/json\r\nContent-Length: "...)
	c.req = strconv.AppendInt(c.req, int64(len(body)), 10)
	c.req = append(c.req, "\r\n\r\n"...)
	c.req = append(c.req, body...)
	status, err := c.exchange()
	if err != nil {
		c.close()
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		return 0, err
	}
	return status, nil
}

func (c *hookClient) exchange() (int, error) {
	if err := c.conn.SetDeadline(time.Now().Add(hookTimeout)); err != nil {
		return 0, err
	}
	if _, err := c.conn.Write(c.req); err != nil {
		return 0, err
	}
	resp, err := http.ReadResponse(c.br, nil)
	if err != nil {
		return 0, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil {
		return 0, err
	}
	if resp.Close {
		c.close() // the server ends the connection after this answer
	}
	return resp.StatusCode, nil
}

func (c *hookClient) dial(ctx context.Context) error {
	d := net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", c.addr)
	if err != nil {
		return err
	}
	c.conn, c.br = conn, bufio.NewReaderSize(conn, 4096)
	// A cancelled run unblocks the exchange in flight.
	c.stop = context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	return nil
}

// close closes the connection, if any.
func (c *hookClient) close() {
	if c.conn == nil {
		return
	}
	c.stop()
	_ = c.conn.Close()
	c.conn, c.br = nil, nil
}
