package runtime

import "testing"

func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

func TestEndings(t *testing.T) {
	var e Endings
	e.ended("ex-0") // no one waits: nothing to do, no panic

	a, stopA := e.Watch("ex-1")
	b, stopB := e.Watch("ex-1")
	other, stopOther := e.Watch("ex-2")
	defer stopOther()
	e.ended("ex-1")
	if !isClosed(a) || !isClosed(b) {
		t.Error("the watches of an ended execution are not told")
	}
	if isClosed(other) {
		t.Error("another execution's watch was told")
	}
	stopA()
	stopA() // stop is idempotent
	stopB()

	// A watch after the end waits for the next end (a resumed execution).
	c, stopC := e.Watch("ex-1")
	if isClosed(c) {
		t.Error("a new watch is told of an end before it")
	}
	stopC()
	e.ended("ex-1") // after stop: nothing to tell, no panic
	if n := e.waiting.Load(); n != 1 {
		t.Errorf("%d watches open, want 1 (ex-2)", n)
	}
	stopOther()
	if n, m := e.waiting.Load(), len(e.watches); n != 0 || m != 0 {
		t.Errorf("after every stop: %d watches counted, %d ids kept", n, m)
	}

	var none *Endings
	none.ended("ex-1") // a nil Endings tells no one
}
