package memory_test

import (
	"context"
	"fmt"
	"time"

	"github.com/bulwarkhq/bulwark/storage"
	"github.com/bulwarkhq/bulwark/storage/memory"
)

func Example() {
	s := memory.New(memory.Config{MaxEntries: 10_000})
	defer s.Close()
	now := time.Now()
	for i := 0; i < 3; i++ {
		c, _ := s.Hit(context.Background(), storage.Hit{Client: "10.0.0.1", Bucket: "api", Window: time.Minute}, now)
		fmt.Println(c.N)
	}
	// Output:
	// 1
	// 2
	// 3
}
