package core

import "fmt"

func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }

func fmtSscan(s string, n *int) (int, error) { return fmt.Sscan(s, n) }
