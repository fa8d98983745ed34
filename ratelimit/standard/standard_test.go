package standard_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/bulwarkhq/bulwark/ratelimit"
	"github.com/bulwarkhq/bulwark/ratelimit/standard"
	"github.com/bulwarkhq/bulwark/storage/memory"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func Example() {
	lim, err := standard.New(standard.Config{Limiter: ratelimit.Config{Rate: "2-M"}})
	if err != nil {
		panic(err)
	}
	defer lim.Close() // closes the memory store too
	for range 3 {
		r, _ := lim.AllowAt(context.Background(), "198.51.100.1", "api", 0, time.Now())
		fmt.Println(r.Allowed, r.Remaining)
	}
	// Output:
	// true 1
	// true 0
	// false 0
}

func TestNewOwnsTheMemoryStore(t *testing.T) {
	// A bad config closes the store New made (goleak would see its janitor).
	if _, err := standard.New(standard.Config{Limiter: ratelimit.Config{Rate: "many"}}); err == nil {
		t.Fatal("bad rate accepted")
	}
	local := memory.New(memory.Config{})
	lim, err := standard.New(standard.Config{Limiter: ratelimit.Config{Local: local}})
	if err != nil {
		t.Fatal(err)
	}
	if err := lim.Close(); err != nil { // closes local
		t.Fatal(err)
	}
}
