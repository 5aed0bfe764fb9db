package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// proc is a child process the harness owns: it runs in its own process
// group, gets SIGKILL if the harness dies (Pdeathsig), and stops with the
// harness on every return path (see children.stopAll).
type proc struct {
	name string
	cmd  *exec.Cmd
	done chan struct{}
	err  error
	log  *tailBuffer
}

// children are all the processes the harness started.
type children struct {
	mu    sync.Mutex
	procs []*proc
}

var addrRe = regexp.MustCompile(`(?:listening on http://|"addr":")(127\.0\.0\.1:\d+)`)

// adminAddrRe finds the admin surface's address in cardflow run's
// "serving" log line.
var adminAddrRe = regexp.MustCompile(`"admin_addr":"(127\.0\.0\.1:\d+)"`)

// start runs bin with args and waits until it prints its listening address
// (the emulators on stdout, cardflow run in its JSON log on stderr).
// onLine, unless nil, sees each line of its output.
func (c *children) start(ctx context.Context, name, bin string, env []string, onLine func(string), args ...string) (*proc, string, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, "", err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, "", err
	}
	p := &proc{name: name, cmd: cmd, done: make(chan struct{}), log: &tailBuffer{max: 64 << 10}}
	if err := cmd.Start(); err != nil {
		return nil, "", fmt.Errorf("starting %s: %w", name, err)
	}
	c.mu.Lock()
	c.procs = append(c.procs, p)
	c.mu.Unlock()
	addrc := make(chan string, 2)
	var wg sync.WaitGroup
	for _, r := range []io.Reader{stdout, stderr} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			scanAddr(r, p.log, addrc, onLine)
		}()
	}
	go func() {
		wg.Wait()
		p.err = cmd.Wait()
		close(p.done)
	}()
	select {
	case addr := <-addrc:
		return p, addr, nil
	case <-p.done:
		return nil, "", fmt.Errorf("%s exited before listening: %v\n%s", name, p.err, p.log.String())
	case <-time.After(30 * time.Second):
		return nil, "", fmt.Errorf("%s did not report a listening address within 30s\n%s", name, p.log.String())
	case <-ctx.Done():
		return nil, "", ctx.Err()
	}
}

// scanAddr copies r into log, passes each line to onLine unless it is nil,
// and sends the first listening address it sees.
func scanAddr(r io.Reader, log *tailBuffer, addrc chan<- string, onLine func(string)) {
	sc := bufio.NewScanner(&pacedReader{r: r, pause: 10 * time.Millisecond})
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	sent := false
	for sc.Scan() {
		line := sc.Text()
		log.WriteLine(line)
		if onLine != nil {
			onLine(line)
		}
		if !sent {
			if m := addrRe.FindStringSubmatch(line); m != nil {
				addrc <- m[1]
				sent = true
			}
		}
	}
}

// pacedReader pauses after each read, so that a child's output is read in
// batches: the engine writes a log line per execution, and reading each as
// it came cost the load generator a read and a wake-up per execution (a
// tenth of its CPU). The pipe holds 64 KiB, hundreds of lines, so the
// writer never waits on the pause; the harness reads the output for the
// listening address, the executions that ended (see bench.finishedLine) and
// the tail it shows on failures.
type pacedReader struct {
	r     io.Reader
	pause time.Duration
	read  bool
}

func (p *pacedReader) Read(b []byte) (int, error) {
	if p.read {
		time.Sleep(p.pause)
	}
	n, err := p.r.Read(b)
	p.read = n > 0
	return n, err
}

// stop sends SIGTERM and waits up to grace for the process to exit, then
// kills its whole process group.
func (p *proc) stop(grace time.Duration) error {
	select {
	case <-p.done:
		return p.err
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		return p.err
	case <-time.After(grace):
	}
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	<-p.done
	return fmt.Errorf("%s did not stop within %s and was killed", p.name, grace)
}

// pid is the process id.
func (p *proc) pid() int { return p.cmd.Process.Pid }

// stopAll stops every child still running, the newest first.
func (c *children) stopAll() {
	c.mu.Lock()
	procs := append([]*proc(nil), c.procs...)
	c.mu.Unlock()
	for i := len(procs) - 1; i >= 0; i-- {
		_ = procs[i].stop(15 * time.Second)
	}
}

// killAll kills every child's process group at once (signal path).
func (c *children) killAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range c.procs {
		select {
		case <-p.done:
		default:
			_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		}
	}
}

// tailBuffer keeps the last max bytes of a process's output for errors.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
	max int
}

func (t *tailBuffer) WriteLine(s string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, s...)
	t.buf = append(t.buf, '\n')
	if len(t.buf) > t.max {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-t.max/2:]...)
	}
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}

// procStat is what /proc tells about a process.
type procStat struct {
	CPU   time.Duration // utime + stime
	HWM   int64         // VmHWM, bytes
	RSS   int64         // VmRSS, bytes
	Valid bool
}

// clockTick is USER_HZ, 100 on every Linux the harness runs on.
const clockTick = 100

// readProc reads /proc/<pid>/stat and /proc/<pid>/status ("self" for the
// harness).
func readProc(pid string) (procStat, error) {
	var s procStat
	stat, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return s, err
	}
	// The command name is in parentheses and may hold spaces: fields start
	// after the last ')'.
	i := strings.LastIndexByte(string(stat), ')')
	if i < 0 {
		return s, errors.New("unexpected /proc stat format")
	}
	f := strings.Fields(string(stat[i+1:]))
	if len(f) < 13 {
		return s, errors.New("unexpected /proc stat format")
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64) // field 14 overall
	st, _ := strconv.ParseInt(f[12], 10, 64) // field 15
	s.CPU = time.Duration(ut+st) * time.Second / clockTick
	status, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		return s, err
	}
	for _, line := range strings.Split(string(status), "\n") {
		name, val, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		var dst *int64
		switch name {
		case "VmHWM":
			dst = &s.HWM
		case "VmRSS":
			dst = &s.RSS
		default:
			continue
		}
		kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(val), "kB")), 10, 64)
		*dst = kb << 10
	}
	s.Valid = true
	return s, nil
}
