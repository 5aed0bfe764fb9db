package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"testing"
	"time"
)

// process is one run of the cardflow binary.
type process struct {
	t    *testing.T
	cmd  *exec.Cmd
	out  *logLines
	done chan struct{}
	err  error // the result of Wait, once done is closed
}

func startProcess(t *testing.T, args []string, env []string) *process {
	t.Helper()
	p := &process{t: t, out: &logLines{}, done: make(chan struct{})}
	p.cmd = exec.Command(cardflowBin, args...)
	p.cmd.Env = env
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	dieWithTest(p.cmd)
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("starting cardflow: %v", err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	return p
}

// waitServing waits for the "serving" log line and returns its address.
func (p *process) waitServing(timeout time.Duration) (string, error) {
	deadline := time.After(timeout)
	for {
		for _, rec := range p.out.records() {
			if rec["msg"] == "serving" {
				if addr, ok := rec["addr"].(string); ok {
					return addr, nil
				}
			}
		}
		select {
		case <-p.done:
			return "", fmt.Errorf("cardflow exited: %v", p.err)
		case <-deadline:
			return "", errors.New("no \"serving\" log line")
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// servingAttr returns an attribute of the "serving" log line ("" if
// absent), e.g. admin_addr.
func (p *process) servingAttr(name string) string {
	for _, rec := range p.out.records() {
		if rec["msg"] == "serving" {
			v, _ := rec[name].(string)
			return v
		}
	}
	return ""
}

func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

func (p *process) state() string {
	if !p.exited() {
		return "running"
	}
	if p.err == nil {
		return "exit status 0"
	}
	return p.err.Error()
}

// kill sends SIGKILL and waits for the process to end.
func (p *process) kill() {
	_ = p.cmd.Process.Kill()
	<-p.done
}

// terminate sends SIGTERM and waits up to timeout for a clean exit.
func (p *process) terminate(timeout time.Duration) error {
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	select {
	case <-p.done:
		return p.err
	case <-time.After(timeout):
		p.kill()
		return fmt.Errorf("still running %s after SIGTERM", timeout)
	}
}

// signal sends sig to the process.
func (p *process) signal(sig os.Signal) {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatal(err)
	}
}

// logLines collects a process's output; its JSON log lines are parsed.
type logLines struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	part []byte
	recs []map[string]any
}

func (l *logLines) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.Write(b)
	l.part = append(l.part, b...)
	for {
		i := bytes.IndexByte(l.part, '\n')
		if i < 0 {
			break
		}
		var rec map[string]any
		if json.Unmarshal(l.part[:i], &rec) == nil {
			l.recs = append(l.recs, rec)
		}
		l.part = l.part[i+1:]
	}
	return len(b), nil
}

func (l *logLines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// records returns the JSON log records so far.
func (l *logLines) records() []map[string]any {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]map[string]any(nil), l.recs...)
}

// hasRecord reports whether a log record has msg.
func (l *logLines) hasRecord(msg string) bool {
	for _, r := range l.records() {
		if r["msg"] == msg {
			return true
		}
	}
	return false
}
