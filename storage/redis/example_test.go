package redis_test

import (
	"context"
	"fmt"
	"time"

	libredis "github.com/redis/go-redis/v9"

	"github.com/bulwarkhq/bulwark/storage"
	redisstore "github.com/bulwarkhq/bulwark/storage/redis"
)

// A store on a Redis Cluster (or a single node, or Sentinel: any
// UniversalClient), namespaced for one application.
func Example() {
	c := libredis.NewUniversalClient(&libredis.UniversalOptions{Addrs: []string{"127.0.0.1:6379"}})
	defer c.Close()
	s, err := redisstore.New(c, redisstore.Config{Prefix: "myapp:"})
	if err != nil {
		panic(err)
	}
	cnt, err := s.Hit(context.Background(), storage.Hit{Client: "10.0.0.1", Bucket: "api", Window: time.Minute}, time.Now())
	if err != nil {
		fmt.Println("redis unavailable:", err != nil)
		return
	}
	fmt.Println(cnt.N >= 1)
}
