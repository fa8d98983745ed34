package redis

import (
	"context"
	"fmt"
	"time"

	"github.com/ulule/limiter/v3"
	"github.com/ulule/limiter/v3/drivers/store/common"
)

// LimiterStore implements ulule/limiter's Store contract on s: the same
// fixed-window counters, namespaced by s's prefix and hash-tagged by key,
// each call one round trip (ulule/limiter's own Redis store takes several).
// Keys are "<prefix>{<key>}:l:<rate>".
type LimiterStore struct{ s *Store }

var _ limiter.Store = LimiterStore{}

// Limiter returns s as a limiter.Store, for limiter.New and its middlewares.
func (s *Store) Limiter() LimiterStore { return LimiterStore{s: s} }

// KEYS: 1 counter. ARGV: 1 increment, 2 window ms.
var incrScript = newScript(`
local c = redis.call('INCRBY', KEYS[1], ARGV[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  ttl = tonumber(ARGV[2])
end
return {c, ttl}
`)

// KEYS: 1 counter. Returns count (0 when absent) and TTL in ms.
var peekScript = newScript(`
local c = tonumber(redis.call('GET', KEYS[1]) or '0')
local ttl = redis.call('PTTL', KEYS[1])
return {c, ttl}
`)

func (l LimiterStore) key(key string, rate limiter.Rate) string {
	return l.s.key(key, "l:"+rate.Formatted)
}

func (l LimiterStore) run(ctx context.Context, sc script, key string, rate limiter.Rate, args ...any) (limiter.Context, error) {
	now := time.Now()
	v, err := sc.Run(ctx, l.s.c, []string{l.key(key, rate)}, args...).Int64Slice()
	if err != nil {
		return limiter.Context{}, fmt.Errorf("storage/redis: limiter: %w", err)
	}
	if len(v) != 2 {
		return limiter.Context{}, fmt.Errorf("storage/redis: limiter: reply of %d values", len(v))
	}
	exp := now.Add(rate.Period)
	if v[1] > 0 {
		exp = now.Add(time.Duration(v[1]) * time.Millisecond)
	}
	return common.GetContextFromState(now, rate, exp, v[0]), nil
}

// Get counts one request for key and returns its limiter context.
func (l LimiterStore) Get(ctx context.Context, key string, rate limiter.Rate) (limiter.Context, error) {
	return l.Increment(ctx, key, 1, rate)
}

// Increment counts count requests for key.
func (l LimiterStore) Increment(ctx context.Context, key string, count int64, rate limiter.Rate) (limiter.Context, error) {
	return l.run(ctx, incrScript, key, rate, count, ms(rate.Period))
}

// Peek returns key's context without counting.
func (l LimiterStore) Peek(ctx context.Context, key string, rate limiter.Rate) (limiter.Context, error) {
	return l.run(ctx, peekScript, key, rate)
}

// Reset sets key's count to zero.
func (l LimiterStore) Reset(ctx context.Context, key string, rate limiter.Rate) (limiter.Context, error) {
	if err := l.s.c.Del(ctx, l.key(key, rate)).Err(); err != nil {
		return limiter.Context{}, fmt.Errorf("storage/redis: limiter reset: %w", err)
	}
	return common.GetContextFromState(time.Now(), rate, time.Now().Add(rate.Period), 0), nil
}
