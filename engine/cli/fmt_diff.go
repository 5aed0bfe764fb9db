package cli

import (
	"fmt"
	"strings"
)

// diffContext is the number of unchanged lines around each change.
const diffContext = 3

// unifiedDiff is a unified diff (as diff -u, with @@ hunks and three lines
// of context) of a against b, for fmt -diff. It diffs lines by longest
// common subsequence: flow files are small enough that quadratic is fine.
func unifiedDiff(name string, a, b []byte) string {
	x, y := splitLines(a), splitLines(b)
	ops := editScript(x, y)
	var sb strings.Builder
	fmt.Fprintf(&sb, "--- %s\n+++ %s (formatted)\n", name, name)
	for start := 0; start < len(ops); {
		// Find the next change, then extend the hunk while changes are
		// within 2×context lines of each other.
		first := start
		for first < len(ops) && ops[first].kind == ' ' {
			first++
		}
		if first == len(ops) {
			break
		}
		lo := max(first-diffContext, start)
		hi, equal := first, 0
		for i := first; i < len(ops); i++ {
			if ops[i].kind != ' ' {
				hi, equal = i+1, 0
				continue
			}
			if equal++; equal > 2*diffContext {
				break
			}
		}
		hi = min(hi+diffContext, len(ops))
		writeHunk(&sb, ops[lo:hi])
		start = hi
	}
	return sb.String()
}

type diffOp struct {
	kind         byte // ' ', '-' or '+'
	line         string
	aLine, bLine int // 1-based line numbers before the op
}

func splitLines(s []byte) []string {
	if len(s) == 0 {
		return nil
	}
	lines := strings.SplitAfter(string(s), "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

func editScript(x, y []string) []diffOp {
	n, m := len(x), len(y)
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var ops []diffOp
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && x[i] == y[j]:
			ops = append(ops, diffOp{' ', x[i], i + 1, j + 1})
			i++
			j++
		case i < n && (j == m || lcs[i+1][j] >= lcs[i][j+1]):
			ops = append(ops, diffOp{'-', x[i], i + 1, j + 1})
			i++
		default:
			ops = append(ops, diffOp{'+', y[j], i + 1, j + 1})
			j++
		}
	}
	return ops
}

func writeHunk(sb *strings.Builder, ops []diffOp) {
	aStart, bStart := ops[0].aLine, ops[0].bLine
	var aLen, bLen int
	for _, op := range ops {
		if op.kind != '+' {
			aLen++
		}
		if op.kind != '-' {
			bLen++
		}
	}
	fmt.Fprintf(sb, "@@ -%s +%s @@\n", hunkRange(aStart, aLen), hunkRange(bStart, bLen))
	for _, op := range ops {
		sb.WriteByte(op.kind)
		sb.WriteString(op.line)
		if !strings.HasSuffix(op.line, "\n") {
			sb.WriteString("\n\\ No newline at end of file\n")
		}
	}
}

// hunkRange formats a hunk's start,length as diff -u does: an empty range
// starts at the line before it.
func hunkRange(start, n int) string {
	switch n {
	case 0:
		return fmt.Sprintf("%d,0", start-1)
	case 1:
		return fmt.Sprintf("%d", start)
	}
	return fmt.Sprintf("%d,%d", start, n)
}
