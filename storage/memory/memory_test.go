package memory

import (
	"context"
	"fmt"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/bulwarkhq/bulwark/storage"
	"github.com/bulwarkhq/bulwark/storage/storagetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Store {
		s := New(Options{})
		t.Cleanup(func() { _ = s.Close() })
		return s
	})
}

func TestCapEvicts(t *testing.T) {
	s := New(Options{Shards: 4, MaxEntries: 100, JanitorInterval: -1})
	defer s.Close()
	now := time.Now()
	for i := 0; i < 1000; i++ {
		if _, err := s.Hit(context.Background(), storage.Hit{Client: fmt.Sprint(i), Window: time.Minute}, now); err != nil {
			t.Fatal(err)
		}
	}
	if n := s.Len(); n > 100 {
		t.Fatalf("%d entries, cap 100", n)
	}
}

func TestSweepAndJanitor(t *testing.T) {
	now := time.Unix(1000, 0)
	s := New(Options{JanitorInterval: time.Millisecond, Clock: func() time.Time { return now.Add(time.Hour) }})
	for i := 0; i < 10; i++ {
		_, _ = s.Hit(context.Background(), storage.Hit{Client: fmt.Sprint(i), Window: time.Minute}, now)
	}
	deadline := time.Now().Add(5 * time.Second)
	for s.Len() > 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if n := s.Len(); n != 0 {
		t.Fatalf("janitor left %d expired entries", n)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil { // idempotent
		t.Fatal(err)
	}
}
