package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// loopbackServer serves h on 127.0.0.1 and records each request's remote
// address (one per connection).
func loopbackServer(t testing.TB, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: h}}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

// The load generator's client sends what the hook endpoint reads (method,
// path, Authorization, JSON body), keeps its connection from one delivery
// to the next, dials again when the server closes it, and reports the
// status it got.
func TestHookClientPostsOverOneConnection(t *testing.T) {
	var mu sync.Mutex
	var remotes []string
	status := http.StatusOK
	srv := loopbackServer(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		remotes = append(remotes, r.RemoteAddr)
		st := status
		mu.Unlock()
		if r.Method != http.MethodPost || r.URL.Path != "/hooks/okta/main" || r.Header.Get("Authorization") != hookSecret ||
			r.Header.Get("Content-Type") != "application/json" || string(body) != `{"n":1}` {
			t.Errorf("got %s %s auth %q type %q body %q", r.Method, r.URL.Path, r.Header.Get("Authorization"), r.Header.Get("Content-Type"), body)
		}
		if r.URL.Query().Get("close") == "1" {
			w.Header().Set("Connection", "close")
		}
		w.WriteHeader(st)
		_, _ = io.WriteString(w, `{"ok":true}`)
	})
	c, err := newHookClient(srv.URL + "/hooks/okta/main")
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	ctx := context.Background()
	for range 3 {
		if st, err := c.post(ctx, hookSecret, []byte(`{"n":1}`)); err != nil || st != http.StatusOK {
			t.Fatalf("post: %d %v", st, err)
		}
	}
	mu.Lock()
	status = http.StatusServiceUnavailable
	mu.Unlock()
	if st, err := c.post(ctx, hookSecret, []byte(`{"n":1}`)); err != nil || st != http.StatusServiceUnavailable {
		t.Fatalf("post: %d %v, want 503", st, err)
	}
	mu.Lock()
	if remotes[0] != remotes[1] || remotes[1] != remotes[2] || remotes[2] != remotes[3] {
		t.Errorf("deliveries came over several connections: %v", remotes)
	}
	mu.Unlock()

	// A server that closes the connection: the next delivery dials again.
	closing, err := newHookClient(srv.URL + "/hooks/okta/main?close=1")
	if err != nil {
		t.Fatal(err)
	}
	defer closing.close()
	mu.Lock()
	status, remotes = http.StatusOK, nil
	mu.Unlock()
	for range 2 {
		if st, err := closing.post(ctx, hookSecret, []byte(`{"n":1}`)); err != nil || st != http.StatusOK {
			t.Fatalf("post: %d %v", st, err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(remotes) != 2 || remotes[0] == remotes[1] {
		t.Errorf("after Connection: close the client did not dial again: %v", remotes)
	}
}

// A cancelled run unblocks a delivery the engine does not answer, and the
// delivery counts as not acknowledged.
func TestHookClientStopsWithItsContext(t *testing.T) {
	release := make(chan struct{})
	srv := loopbackServer(t, func(w http.ResponseWriter, r *http.Request) { <-release })
	defer close(release)
	c, err := newHookClient(srv.URL + "/hooks/okta/main")
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	st, err := c.post(ctx, hookSecret, []byte(`{}`))
	if err == nil || st != 0 {
		t.Fatalf("post to a server that never answers: %d %v, want an error", st, err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("the cancelled delivery returned after %s", d)
	}
	if c.conn != nil {
		t.Error("the connection of a failed delivery was kept")
	}
}

// The harness's reader of a child's output loses nothing and ends with it,
// however the child's writes fall, and counts the executions the log says
// ended.
func TestPacedReaderKeepsEveryLine(t *testing.T) {
	pr, pw := io.Pipe()
	go func() {
		for i := range 50 {
			msg := "execution finished"
			if i%5 == 0 {
				msg = "card will retry"
			}
			_, _ = fmt.Fprintf(pw, `{"level":"INFO","msg":%q,"n":%d}`+"\n", msg, i)
		}
		pw.Close()
	}()
	log := &tailBuffer{max: 1 << 20}
	addrc := make(chan string, 1)
	b := &bench{ended: newProgress()}
	scanAddr(pr, log, addrc, b.finishedLine)
	lines := strings.Split(strings.TrimSuffix(log.String(), "\n"), "\n")
	if len(lines) != 50 || !strings.Contains(lines[49], `"n":49`) {
		t.Fatalf("read %d lines, the last %q; want 50", len(lines), lines[len(lines)-1])
	}
	if n, _ := b.ended.load(); n != 40 {
		t.Errorf("counted %d executions ended, want the 40 lines that say so", n)
	}
	select {
	case a := <-addrc:
		t.Errorf("found an address %q in lines that have none", a)
	default:
	}
}
