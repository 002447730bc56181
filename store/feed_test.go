package store_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/store"
)

// 32 writers at once with a subscriber reading: every message is stored
// once, and the subscriber sees every MessageAdded in commit order.
func TestConcurrentIngestWithSubscriber(t *testing.T) {
	s, _ := openStore(t, newClock(at(time.Hour)))
	sub := s.Subscribe(1 << 16)
	defer sub.Close()
	const writers, each = 32, 20
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				psid := fmt.Sprintf("u%d", w%8)
				ev := msg(psid, fmt.Sprintf("m%d-%d", w, i), "x", at(time.Duration(i)*time.Second))
				// Every writer also redelivers an earlier event.
				if err := s.Ingest(ctx(), []store.Event{ev, ev}); err != nil {
					t.Error(err)
				}
			}
		}(w)
	}
	added := map[string]bool{}
	var lastSeq uint64
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	timeout := time.After(30 * time.Second)
	for len(added) < writers*each {
		select {
		case ch := <-sub.C:
			if ch.Seq <= lastSeq {
				t.Fatalf("seq went from %d to %d", lastSeq, ch.Seq)
			}
			lastSeq = ch.Seq
			if ch.Kind == store.Resync {
				t.Fatal("resync with a large buffer")
			}
			if ch.Kind == store.MessageAdded {
				if added[ch.Message.MID] {
					t.Fatalf("message %s added twice", ch.Message.MID)
				}
				added[ch.Message.MID] = true
			}
		case <-timeout:
			t.Fatalf("saw %d of %d messages", len(added), writers*each)
		}
	}
	<-done
	total := 0
	for i := 0; i < 8; i++ {
		total += conv(t, s, fmt.Sprintf("u%d", i)).MessageCount
	}
	if total != writers*each {
		t.Errorf("stored %d messages, want %d", total, writers*each)
	}
}

// A subscriber that never reads must not block writers; when it reads
// again it finds a Resync, then live changes.
func TestSlowSubscriberGetsResync(t *testing.T) {
	s, _ := openStore(t, newClock(at(time.Hour)))
	slow := s.Subscribe(4)
	defer slow.Close()
	fast := s.Subscribe(1000)
	defer fast.Close()
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		for i := 0; i < 50; i++ {
			mustIngest(t, s, msg("u1", fmt.Sprintf("m%d", i), "x", at(time.Duration(i)*time.Second)))
		}
	}()
	select {
	case <-finished:
	case <-time.After(20 * time.Second):
		t.Fatal("a subscriber that does not read blocked the writers")
	}
	first := <-slow.C
	if first.Kind != store.Resync {
		t.Fatalf("slow subscriber first got %s, want resync", first.Kind)
	}
	for len(slow.C) > 0 {
		<-slow.C
	}
	mustIngest(t, s, msg("u1", "after", "x", at(time.Minute)))
	var kinds []store.ChangeKind
	for len(slow.C) > 0 {
		kinds = append(kinds, (<-slow.C).Kind)
	}
	if fmt.Sprint(kinds) != "[message_added conversation]" {
		t.Errorf("after resync got %v", kinds)
	}
	n := 0
	for len(fast.C) > 0 {
		if ch := <-fast.C; ch.Kind == store.MessageAdded {
			n++
		} else if ch.Kind == store.Resync {
			t.Fatal("fast subscriber got a resync")
		}
	}
	if n != 51 {
		t.Errorf("fast subscriber saw %d messages, want 51", n)
	}
}

func TestSubscriptionEndsOnClose(t *testing.T) {
	s, _ := openStore(t, newClock(at(time.Hour)))
	sub := s.Subscribe(1)
	s.Close()
	select {
	case _, ok := <-sub.C:
		if ok {
			t.Error("got a change after close")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("subscription still open after Close")
	}
	sub.Close() // twice is fine
	if err := s.Ingest(ctx(), []store.Event{msg("u1", "m1", "x", at(0))}); err != store.ErrClosed {
		t.Errorf("ingest after close: %v", err)
	}
}

// Writers racing Close all return: none is left waiting on a writer that
// has gone.
func TestCloseWhileWriting(t *testing.T) {
	for round := 0; round < 20; round++ {
		s, _ := openStore(t, newClock(at(time.Hour)))
		var wg sync.WaitGroup
		for w := 0; w < 32; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for i := 0; ; i++ {
					if err := s.Ingest(ctx(), []store.Event{msg("u", fmt.Sprintf("m%d-%d", w, i), "x", at(0))}); err != nil {
						return
					}
				}
			}(w)
		}
		time.Sleep(time.Millisecond)
		s.Close()
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("round %d: writers still blocked after Close", round)
		}
	}
}
