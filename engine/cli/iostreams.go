package cli

import (
	"io"
	"os"

	"golang.org/x/term"
)

// IOStreams are the standard streams of a command, replaceable in tests.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
	// Environ is the process environment ("NAME=value").
	Environ []string
	// colorErr says whether stderr takes ANSI colors.
	colorErr bool
	// ttyErr says whether stderr is a terminal (run logs text there).
	ttyErr bool
}

// System returns the process's streams. Color is on only for a terminal
// and without NO_COLOR.
func System() *IOStreams {
	_, noColor := os.LookupEnv("NO_COLOR")
	tty := term.IsTerminal(int(os.Stderr.Fd()))
	return &IOStreams{
		In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		Environ:  os.Environ(),
		colorErr: !noColor && tty,
		ttyErr:   tty,
	}
}

// LookupEnv reads a variable of the streams' environment.
func (s *IOStreams) LookupEnv(name string) (string, bool) {
	for i := len(s.Environ) - 1; i >= 0; i-- {
		kv := s.Environ[i]
		if len(kv) > len(name) && kv[len(name)] == '=' && kv[:len(name)] == name {
			return kv[len(name)+1:], true
		}
	}
	return "", false
}
