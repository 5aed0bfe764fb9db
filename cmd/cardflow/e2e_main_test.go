package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"go.uber.org/goleak"
)

// cardflowBin is the binary the end-to-end tests run, built once by
// TestMain. It is empty under -short, where those tests skip.
var cardflowBin string

// TestMain is also the cardflow command of the scripts in testdata/script:
// testscript runs this test binary under that name (script_test.go).
func TestMain(m *testing.M) {
	testscript.Main(e2eMain{m}, map[string]func(){"cardflow": func() { os.Exit(cardflow()) }})
}

// e2eMain runs the tests: it builds the binary of the end-to-end tests
// first and looks for leaked goroutines after.
type e2eMain struct{ m *testing.M }

func (e e2eMain) Run() int {
	m := e.m
	flag.Parse()
	if testing.Short() {
		return m.Run()
	}
	// The end-to-end tests spend their time waiting for child processes
	// (a restarted one waits out the dead one's 30 s lease), not on the
	// CPU: run more of them at once than -parallel's GOMAXPROCS default,
	// unless the caller chose; not so many that a loaded machine misses the
	// emulators' 3 s event-hook timeouts.
	parallelSet := false
	flag.Visit(func(f *flag.Flag) { parallelSet = parallelSet || f.Name == "test.parallel" })
	if !parallelSet {
		_ = flag.Set("test.parallel", "8")
	}
	dir, err := os.MkdirTemp("", "cardflow-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	cardflowBin = filepath.Join(dir, "cardflow")
	// The binary is built without -race even when the tests run with it:
	// the child process is the product under test, not the test's code.
	build := exec.Command("go", "build", "-o", cardflowBin, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building cardflow for the end-to-end tests:", err)
		os.RemoveAll(dir)
		return 1
	}
	defer holdDefaultPorts()()
	code := m.Run()
	os.RemoveAll(dir)
	// Every emulator, proxy and process of a test stops with its cleanup.
	http.DefaultTransport.(*http.Transport).CloseIdleConnections()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goroutines outlived the end-to-end tests:", err)
			code = 1
		}
	}
	return code
}

// holdDefaultPorts listens on the default addresses of cardflow run
// (127.0.0.1:8080 public, 127.0.0.1:9090 admin, which console and demo
// --console use too) until the returned func is called. A test that left
// a server at its default port would pass on a quiet machine and fail on
// a developer's, where a cardflow of their own holds it: held here, it
// fails everywhere. A port that something else holds already has the same
// effect.
func holdDefaultPorts() func() {
	var held []net.Listener
	for _, addr := range []string{"127.0.0.1:8080", "127.0.0.1:9090"} {
		if ln, err := net.Listen("tcp", addr); err == nil {
			held = append(held, ln)
		}
	}
	return func() {
		for _, ln := range held {
			ln.Close()
		}
	}
}
