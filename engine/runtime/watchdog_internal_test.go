package runtime

import (
	"context"
	"testing"
	"time"
)

func TestWatchdogCancelsTheArmedAttempt(t *testing.T) {
	var w watchdog
	defer w.stop()
	a := w.arm(context.Background(), 20*time.Millisecond)
	select {
	case <-a.ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the attempt was not cancelled")
	}
	if !a.end() {
		t.Fatal("end did not report the timeout")
	}
}

func TestWatchdogLeavesTheNextAttemptAlone(t *testing.T) {
	var w watchdog
	defer w.stop()
	a := w.arm(context.Background(), time.Millisecond)
	if a.end() {
		t.Fatal("an attempt that ended at once timed out")
	}
	// The timer of the first attempt may fire now: it must not cancel the
	// second, whose deadline is later.
	b := w.arm(context.Background(), time.Hour)
	time.Sleep(20 * time.Millisecond)
	if err := b.ctx.Err(); err != nil {
		t.Fatalf("the second attempt was cancelled: %v", err)
	}
	if b.end() {
		t.Fatal("the second attempt reported a timeout")
	}
}

func TestWatchdogNestedAttemptHasItsOwnTimeout(t *testing.T) {
	var w watchdog
	defer w.stop()
	outer := w.arm(context.Background(), time.Hour)
	inner := w.arm(outer.ctx, 20*time.Millisecond)
	if inner.w != nil {
		t.Fatal("the nested attempt shares the armed timer")
	}
	<-inner.ctx.Done()
	if !inner.end() {
		t.Fatal("the nested attempt did not time out")
	}
	if outer.ctx.Err() != nil {
		t.Fatal("the nested timeout cancelled the outer attempt")
	}
	if outer.end() {
		t.Fatal("the outer attempt reported a timeout")
	}
}

func TestWatchdogParentCancelIsNotATimeout(t *testing.T) {
	var w watchdog
	defer w.stop()
	ctx, cancel := context.WithCancel(context.Background())
	a := w.arm(ctx, time.Hour)
	cancel()
	<-a.ctx.Done()
	if a.end() {
		t.Fatal("a cancelled execution reported a card timeout")
	}
}

func TestWatchdogAttemptAfterATimeoutGetsALiveContext(t *testing.T) {
	var w watchdog
	defer w.stop()
	a := w.arm(context.Background(), time.Millisecond)
	<-a.ctx.Done()
	if !a.end() {
		t.Fatal("the first attempt did not time out")
	}
	b := w.arm(context.Background(), time.Hour)
	if err := b.ctx.Err(); err != nil {
		t.Fatalf("the retry starts cancelled: %v", err)
	}
	if b.end() {
		t.Fatal("the retry reported a timeout")
	}
}

func TestWatchdogStopCancelsTheContext(t *testing.T) {
	var w watchdog
	a := w.arm(context.Background(), time.Hour)
	a.end()
	w.stop()
	if a.ctx.Err() == nil {
		t.Fatal("the run ended but its attempts' context lives on")
	}
}

// TestWatchdogMovesTheTimerToAnEarlierDeadline: the timer set for a long
// attempt is moved when a later attempt has less time left.
func TestWatchdogMovesTheTimerToAnEarlierDeadline(t *testing.T) {
	var w watchdog
	defer w.stop()
	a := w.arm(context.Background(), time.Hour)
	if a.end() {
		t.Fatal("an attempt that ended at once timed out")
	}
	b := w.arm(context.Background(), 20*time.Millisecond)
	select {
	case <-b.ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the shorter attempt was not cancelled: the timer stayed at the first attempt's deadline")
	}
	if !b.end() {
		t.Fatal("end did not report the timeout")
	}
}

// TestWatchdogManyAttemptsOneTimer: attempts that end in time leave the
// one timer alone, and the last attempt still times out.
func TestWatchdogManyAttemptsOneTimer(t *testing.T) {
	var w watchdog
	defer w.stop()
	for range 1000 {
		if w.arm(context.Background(), 50*time.Millisecond).end() {
			t.Fatal("an attempt that ended at once timed out")
		}
	}
	last := w.arm(context.Background(), 50*time.Millisecond)
	select {
	case <-last.ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the last attempt was not cancelled")
	}
	if !last.end() {
		t.Fatal("end did not report the timeout")
	}
}
