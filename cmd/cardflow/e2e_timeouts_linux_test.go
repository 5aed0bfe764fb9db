package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cardflow/cardflow/engine/store"
	"github.com/cardflow/cardflow/engine/store/sqlite"
)

// TestE2EServerTimeouts: idle keep-alive connections are closed after
// --idle-timeout on both surfaces, a client that never finishes its
// headers after the header timeout, and an admin client that does not read
// its response after --admin-write-timeout, with the response cut short.
func TestE2EServerTimeouts(t *testing.T) {
	e := newEdge(t)
	seedLargeHistory(t, e.db, 1000, 8<<10)
	e.start("--idle-timeout", "1s", "--admin-write-timeout", "2s")

	t.Run("idle", func(t *testing.T) {
		for _, c := range []struct{ addr, path string }{{e.addr, "/healthz"}, {e.admin, "/metrics"}} {
			conn := dial(t, c.addr, nil)
			fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", c.path)
			br := bufio.NewReader(conn)
			resp, err := http.ReadResponse(br, nil)
			if err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("%s: %v %v", c.path, resp, err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if took, err := waitClosed(conn, br, 10*time.Second); err != nil {
				t.Errorf("%s %s: an idle keep-alive connection is still open after %s (%v)", c.addr, c.path, took, err)
			}
		}
	})
	t.Run("slow headers", func(t *testing.T) {
		for _, addr := range []string{e.addr, e.admin} {
			conn := dial(t, addr, nil)
			fmt.Fprintf(conn, "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n")
			if took, err := waitClosed(conn, bufio.NewReader(conn), 15*time.Second); err != nil {
				t.Errorf("%s: a connection with unfinished headers is still open after %s (%v)", addr, took, err)
			}
		}
	})
	t.Run("slow reader", func(t *testing.T) {
		// A small receive window and segment size, so that the response
		// (about 8 MB) cannot fit in the sockets' buffers: the server's
		// writes block until the client reads.
		conn := dial(t, e.admin, func(fd int) error {
			if err := syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096); err != nil {
				return err
			}
			return syscall.SetsockoptInt(fd, syscall.IPPROTO_TCP, syscall.TCP_MAXSEG, 536)
		})
		fmt.Fprintf(conn, "GET /api/v1/executions?limit=1000 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
		time.Sleep(4 * time.Second) // twice --admin-write-timeout, reading nothing
		_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
		br := bufio.NewReader(conn)
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			return // closed before even the headers arrived: cut short
		}
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /api/v1/executions: %d", resp.StatusCode)
		}
		n, err := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err == nil {
			t.Errorf("the whole response (%d bytes) was written to a client that did not read for 4 s; want it cut at --admin-write-timeout 2s", n)
		}
	})
}

// dial connects to addr, with control applied to the socket before it
// connects.
func dial(t *testing.T, addr string, control func(fd int) error) net.Conn {
	t.Helper()
	d := net.Dialer{Timeout: 5 * time.Second}
	if control != nil {
		d.Control = func(_, _ string, c syscall.RawConn) error {
			var serr error
			if err := c.Control(func(fd uintptr) { serr = control(int(fd)) }); err != nil {
				return err
			}
			return serr
		}
	}
	conn, err := d.DialContext(context.Background(), "tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// waitClosed reads until the server closes the connection, at most within;
// an error means it did not.
func waitClosed(conn net.Conn, br *bufio.Reader, within time.Duration) (time.Duration, error) {
	start := time.Now()
	_ = conn.SetReadDeadline(start.Add(within))
	_, err := io.Copy(io.Discard, br)
	took := time.Since(start)
	var ne net.Error
	if err != nil && errorsAsNet(err, &ne) && ne.Timeout() {
		return took, err
	}
	return took, nil
}

func errorsAsNet(err error, ne *net.Error) bool {
	e, ok := err.(net.Error)
	if ok {
		*ne = e
	}
	return ok
}

// seedLargeHistory stores n finished-to-be executions of the edge's flow,
// each with a payload of size bytes, so that the history API has a large
// response to write.
func seedLargeHistory(t *testing.T, db string, n, size int) {
	t.Helper()
	st, err := sqlite.Open(db, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	pad := strings.Repeat("x", size)
	events := make([]store.Event, n)
	for i := range events {
		events[i] = store.Event{Flow: "ping", DedupKey: fmt.Sprintf("seed-%d", i), Type: "http.endpoint",
			Payload: []byte(`{"body":{"pad":"` + pad + `"}}`), ReceivedAt: time.Now().UTC()}
	}
	if _, err := st.Enqueue(context.Background(), events, store.EnqueueOptions{}); err != nil {
		t.Fatal(err)
	}
}
