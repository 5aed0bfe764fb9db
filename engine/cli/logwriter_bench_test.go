package cli

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cardflow/cardflow/internal/benchcpu"
)

// BenchmarkLogLines logs cardflow run's "execution finished" line from 64
// goroutines at once (its default --workers) into a file, as stderr
// redirected to one: written by each logger (direct) or through logWriter.
// cpu-ns/op is the process's CPU per line. With work=100us each goroutine
// does 100 µs of work between lines, as an execution does, so that lines
// come apart rather than at once.
func BenchmarkLogLines(b *testing.B) {
	for _, work := range []time.Duration{0, 100 * time.Microsecond} {
		b.Run("work="+work.String(), func(b *testing.B) { benchLogLines(b, work) })
	}
}

func benchLogLines(b *testing.B, work time.Duration) {
	for _, tc := range []struct {
		name string
		wrap func(io.Writer) (io.Writer, func() error)
	}{
		{"direct", func(w io.Writer) (io.Writer, func() error) { return w, func() error { return nil } }},
		{"logWriter", func(w io.Writer) (io.Writer, func() error) {
			l := newLogWriter(context.Background(), w)
			return l, l.Close
		}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			f, err := os.Create(filepath.Join(b.TempDir(), "stderr"))
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			w, closeW := tc.wrap(f)
			log := slog.New(slog.NewJSONHandler(w, nil))
			b.SetParallelism(32) // 64 goroutines on two cores
			b.ReportAllocs()
			done := benchcpu.PerOp(b)
			b.RunParallel(func(pb *testing.PB) {
				ctx := context.Background()
				for pb.Next() {
					spin(work)
					log.LogAttrs(ctx, slog.LevelInfo, "execution finished",
						slog.String("execution", "ex_01M97NCPB2PA64GTQPBBA7BY40"), slog.String("flow", "incident"),
						slog.String("status", "succeeded"), slog.Int64("duration_ms", 12), slog.String("err", ""))
				}
			})
			if err := closeW(); err != nil {
				b.Fatal(err)
			}
			done()
		})
	}
}

// spin keeps a CPU busy for d.
func spin(d time.Duration) {
	for start := time.Now(); time.Since(start) < d; {
	}
}
