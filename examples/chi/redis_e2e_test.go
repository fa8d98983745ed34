package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"os"
	"strconv"
	"testing"
	"time"

	libredis "github.com/redis/go-redis/v9"
)

// redisConfig returns the test config on the Redis at REDIS_URL (default
// the local one) under a unique key prefix, deleted after the test. It
// skips when Redis is unreachable, except under CI=true.
func redisConfig(t *testing.T) config {
	t.Helper()
	u := os.Getenv("REDIS_URL")
	if u == "" {
		u = "redis://127.0.0.1:6379/0"
	}
	opts, err := libredis.ParseURL(u)
	if err != nil {
		t.Fatalf("REDIS_URL: %v", err)
	}
	client := libredis.NewClient(opts)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := client.Ping(ctx).Err(); err != nil {
		_ = client.Close()
		if os.Getenv("CI") == "true" {
			t.Fatalf("Redis at %s unreachable under CI: %v", u, err)
		}
		t.Skipf("Redis at %s unreachable (%v); run redis-server or set REDIS_URL to run this test", u, err)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	prefix := "bulwark:test:e2e:" + hex.EncodeToString(b) + ":"
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		iter := client.Scan(ctx, 0, prefix+"*", 100).Iterator()
		for iter.Next(ctx) {
			client.Del(ctx, iter.Val())
		}
		_ = client.Close()
	})
	c := testConfig()
	c.RedisURL, c.RedisPrefix = u, prefix
	return c
}

func TestCredentialStuffingOnRedis(t *testing.T) {
	cfg := redisConfig(t)
	base := start(t, cfg)
	var statuses []int
	for i := range 20 {
		resp, _ := login(t, base, "user"+strconv.Itoa(i), "x")
		statuses = append(statuses, resp.StatusCode)
	}
	if statuses[0] != http.StatusUnauthorized {
		t.Fatalf("first login = %d, want 401: %v", statuses[0], statuses)
	}
	last := statuses[len(statuses)-1]
	if last != http.StatusTooManyRequests && last != http.StatusForbidden {
		t.Fatalf("20 failed logins on Redis not limited: %v", statuses)
	}
	// A second server on the same Redis (another replica) sees the limit.
	other := start(t, cfg)
	resp, _ := login(t, other, "another", "x")
	if resp.StatusCode == http.StatusUnauthorized {
		t.Errorf("a second replica on the same Redis let the limited client through")
	}
}
