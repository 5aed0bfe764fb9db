package engine_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cardflow/cardflow/engine/store/postgres"
	"github.com/cardflow/cardflow/engine/store/postgres/pgtest"
)

// cutProxy forwards TCP connections to a PostgreSQL server until cut, when
// it drops those it carries and refuses new ones, as a network partition
// or a server that went down would.
type cutProxy struct {
	ln     net.Listener
	target string

	mu    sync.Mutex
	cut   bool
	conns []net.Conn
}

func newCutProxy(t *testing.T, target string) *cutProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{ln: ln, target: target}
	done := make(chan struct{})
	go p.serve(done)
	t.Cleanup(func() {
		ln.Close()
		<-done
		p.setCut(true)
	})
	return p
}

func (p *cutProxy) serve(done chan struct{}) {
	defer close(done)
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if p.cut {
			p.mu.Unlock()
			c.Close()
			continue
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			p.mu.Unlock()
			c.Close()
			continue
		}
		p.conns = append(p.conns, c, s)
		p.mu.Unlock()
		go func() { _, _ = io.Copy(s, c); s.Close() }()
		go func() { _, _ = io.Copy(c, s); c.Close() }()
	}
}

func (p *cutProxy) setCut(cut bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = cut
	if cut {
		for _, c := range p.conns {
			c.Close()
		}
		p.conns = nil
	}
}

// syncLog is a log destination tests read while the engine writes it.
type syncLog struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *syncLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *syncLog) count(msg string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Count(l.b.String(), msg)
}

// TestPostgresOutageHealthz: a replica on PostgreSQL whose database is cut
// off answers /healthz 503 without any event arriving, logs the outage
// once, and answers 200 again (and logs that once) when the database is
// back.
func TestPostgresOutageHealthz(t *testing.T) {
	dsn, schema := pgtest.Schema(t)
	u, err := url.Parse(dsn)
	if err != nil || u.Scheme == "" {
		t.Skipf("%s is not a postgres:// URL", pgtest.EnvDSN)
	}
	proxy := newCutProxy(t, u.Host)
	u.Host = proxy.ln.Addr().String()
	st, err := postgres.Open(context.Background(), u.String(), postgres.Options{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	logs := &syncLog{}
	e := healthEngine(t, st, slog.New(slog.NewJSONHandler(logs, nil)))
	srv, _ := runEngine(t, e)
	waitFor := func(code int, within time.Duration) {
		t.Helper()
		deadline := time.Now().Add(within)
		for {
			resp, err := http.Get(srv.URL + "/healthz")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode == code {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("/healthz answered %d for %s, want %d", resp.StatusCode, within, code)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}

	waitFor(http.StatusOK, 5*time.Second)
	proxy.setCut(true)
	waitFor(http.StatusServiceUnavailable, 5*time.Second)
	time.Sleep(2 * time.Second) // claims keep failing, several a second
	waitFor(http.StatusServiceUnavailable, 0)
	if n := logs.count(`"msg":"claiming executions failed"`); n != 1 {
		t.Errorf("the log says %d times that claims fail, want once", n)
	}
	proxy.setCut(false)
	waitFor(http.StatusOK, 20*time.Second)
	deadline := time.Now().Add(10 * time.Second)
	for logs.count("claiming executions works again after") == 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond)
	if n := logs.count("claiming executions works again after"); n != 1 {
		t.Errorf("the log says %d times that claims work again, want once", n)
	}
}
