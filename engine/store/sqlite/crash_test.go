package sqlite_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/cardflow/cardflow/engine/store"
	"github.com/cardflow/cardflow/engine/store/sqlite"
)

// The crash tests re-run the test binary as a child that writes to a
// database and dies without closing it; the parent reopens the database
// and checks that every write the child saw acknowledged is there.
const (
	crashDBEnv   = "CARDFLOW_STORE_CRASH_DB"
	crashModeEnv = "CARDFLOW_STORE_CRASH_MODE" // "exit": os.Exit(1) after the writes; "kill": write until killed
)

const crashWriters, crashPerWriter = 4, 50

// crashChild runs the child's side when the environment asks for it and
// never returns then; otherwise it reports false.
func crashChild() bool {
	path := os.Getenv(crashDBEnv)
	if path == "" {
		return false
	}
	s, err := sqlite.Open(path, sqlite.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(2)
	}
	var (
		mu sync.Mutex // one line per write(2), never interleaved
		wg sync.WaitGroup
	)
	for w := range crashWriters {
		wg.Go(func() {
			for i := 0; os.Getenv(crashModeEnv) == "kill" || i < crashPerWriter; i++ {
				id, entries, err := crashWrite(s, fmt.Sprintf("w%d-%d", w, i))
				if err != nil {
					fmt.Fprintln(os.Stderr, "child:", err)
					os.Exit(2)
				}
				mu.Lock()
				fmt.Fprintf(os.Stdout, "ack %s %d\n", id, entries)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	os.Exit(1) // no Close: the writer goroutine and connections just die
	return true
}

// crashWrite enqueues one event and journals two cards, as an executor would.
func crashWrite(s store.Store, key string) (string, int, error) {
	ctx := context.Background()
	res, err := s.Enqueue(ctx, []store.Event{{Flow: "crash", DedupKey: key, Payload: []byte(`{"k":"` + key + `"}`)}}, store.EnqueueOptions{})
	if err != nil {
		return "", 0, err
	}
	id := res[0].ID
	for c := range 2 {
		en := store.JournalEntry{ExecutionID: id, Card: fmt.Sprintf("c%d", c), Attempt: 1, Status: store.EntryOK,
			Output: []byte(strings.Repeat("x", 400))}
		if err := s.Append(ctx, en); err != nil {
			return "", 0, err
		}
	}
	return id, 2, nil
}

func TestCrashExitKeepsAcknowledged(t *testing.T) { testCrash(t, "exit") }

func TestCrashKillKeepsAcknowledged(t *testing.T) { testCrash(t, "kill") }

func testCrash(t *testing.T, mode string) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	path := filepath.Join(t.TempDir(), "crash.db")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashDBEnv+"="+path, crashModeEnv+"="+mode)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	acked := make(map[string]int)
	lines := bufio.NewScanner(out)
	for lines.Scan() {
		f := strings.Fields(lines.Text())
		if len(f) != 3 || f[0] != "ack" {
			continue // the test framework's own output
		}
		n, _ := strconv.Atoi(f[2])
		acked[f[1]] = n
		if mode == "kill" && len(acked) == 300 {
			_ = cmd.Process.Kill() // SIGKILL: mid-batch, no chance to clean up
		}
	}
	err = cmd.Wait()
	if mode == "exit" && len(acked) != crashWriters*crashPerWriter {
		t.Fatalf("child acknowledged %d writes, want %d (exit: %v)", len(acked), crashWriters*crashPerWriter, err)
	}
	if mode == "kill" && len(acked) < 300 {
		t.Fatalf("child died after %d acknowledged writes: %v", len(acked), err)
	}

	s := open(t, path, sqlite.Options{})
	defer s.Close()
	ctx := t.Context()
	for id, n := range acked {
		if _, err := s.Execution(ctx, id); err != nil {
			t.Fatalf("acknowledged execution %s lost: %v", id, err)
		}
		j, err := s.Journal(ctx, id)
		if err != nil || len(j) < n {
			t.Fatalf("execution %s: journal has %d entries (%v), %d were acknowledged", id, len(j), err, n)
		}
	}
	t.Logf("%s: %d acknowledged executions all present after the crash", mode, len(acked))
	// The database still takes writes after recovery.
	if _, err := s.Enqueue(ctx, []store.Event{{Flow: "after", DedupKey: "1"}}, store.EnqueueOptions{}); err != nil {
		t.Fatal(err)
	}
}
