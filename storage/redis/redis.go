// Package redis is the storage backend for fleets: counters and penalty-box
// decisions in Redis through github.com/redis/go-redis/v9, on any
// redis.UniversalClient (single node, Sentinel, Cluster).
//
// A Hit is one Lua script (EVALSHA, EVAL on NOSCRIPT): it reads the client's
// decision, increments the fixed-window counter with its expiry, counts a
// strike when the hit is over the limit and writes the penalty decision when
// the strikes reach their limit, and returns count, TTL and decision in one
// reply: one round trip. Keys are "<prefix>{<client>}:<kind>", so all of a
// client's keys share one Cluster slot, and the prefix lets several
// applications share one Redis. Store.Limiter exposes the same counters
// through ulule/limiter's Store contract, one round trip a call.
package redis

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	libredis "github.com/redis/go-redis/v9"

	"github.com/bulwarkhq/bulwark/storage"
)

var _ storage.Store = (*Store)(nil)

// DefaultPrefix namespaces keys when Options.Prefix is empty.
const DefaultPrefix = "bulwark:"

// Options configures a Store.
type Options struct {
	// Prefix is put before every key. Default DefaultPrefix.
	Prefix string
}

// Store is a Redis storage.Store. It does not own the client: Close does not
// close it.
type Store struct {
	c      libredis.UniversalClient
	prefix string
}

// New returns a Store on c.
func New(c libredis.UniversalClient, o Options) (*Store, error) {
	if c == nil {
		return nil, errors.New("storage/redis: nil client")
	}
	if o.Prefix == "" {
		o.Prefix = DefaultPrefix
	}
	return &Store{c: c, prefix: o.Prefix}, nil
}

type script = *libredis.Script

// newScript wraps go-redis's Script: Run sends EVALSHA and, on NOSCRIPT
// (first use on a server), EVAL.
func newScript(src string) script { return libredis.NewScript(src) }

// KEYS: 1 decision, 2 counter, 3 strikes.
// ARGV: 1 window ms, 2 limit, 3 strike limit, 4 strike window ms,
// 5 penalty value, 6 penalty ttl ms.
var hitScript = newScript(`
local d = redis.call('GET', KEYS[1])
local c = redis.call('INCR', KEYS[2])
local ttl = redis.call('PTTL', KEYS[2])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[2], ARGV[1])
  ttl = tonumber(ARGV[1])
end
local dttl = -2
if d then
  dttl = redis.call('PTTL', KEYS[1])
else
  local lim = tonumber(ARGV[2])
  local slim = tonumber(ARGV[3])
  if slim > 0 and lim > 0 and c > lim then
    local s = redis.call('INCR', KEYS[3])
    if s == 1 then redis.call('PEXPIRE', KEYS[3], ARGV[4]) end
    if s >= slim then
      redis.call('SET', KEYS[1], ARGV[5], 'PX', ARGV[6])
      redis.call('DEL', KEYS[3])
      d = ARGV[5]
      dttl = tonumber(ARGV[6])
    end
  end
end
return {c, ttl, d or false, dttl}
`)

func (s *Store) key(client, kind string) string {
	return s.prefix + "{" + storage.BoundKey(client) + "}:" + kind
}

func ms(d time.Duration) int64 {
	if m := d.Milliseconds(); m > 0 {
		return m
	}
	return 1
}

// encode and decode a decision value: "kind|factor|reason".
func encode(d storage.Decision) string {
	return strconv.Itoa(int(d.Kind)) + "|" + strconv.FormatFloat(d.Factor, 'g', -1, 64) + "|" + d.Reason
}

func decode(v string, expires time.Time) (storage.Decision, error) {
	parts := strings.SplitN(v, "|", 3)
	if len(parts) != 3 {
		return storage.Decision{}, fmt.Errorf("storage/redis: malformed decision %q", v)
	}
	k, err := strconv.Atoi(parts[0])
	if err != nil || k < 0 || k > int(storage.KindBan) {
		return storage.Decision{}, fmt.Errorf("storage/redis: malformed decision kind %q", v)
	}
	f, err := strconv.ParseFloat(parts[1], 64)
	if err != nil {
		return storage.Decision{}, fmt.Errorf("storage/redis: malformed decision factor %q", v)
	}
	return storage.Decision{Kind: storage.Kind(k), Factor: f, Reason: parts[2], Expires: expires}, nil
}

// Hit counts one request in one round trip. Reset and the decision's expiry
// come from the server's TTLs, relative to now.
func (s *Store) Hit(ctx context.Context, h storage.Hit, now time.Time) (storage.Count, error) {
	keys := []string{s.key(h.Client, "d"), s.key(h.Client, "c:"+storage.BoundKey(h.Bucket)), s.key(h.Client, "s")}
	pen := ""
	if h.StrikeLimit > 0 {
		pen = encode(h.Penalty)
	}
	v, err := hitScript.Run(ctx, s.c, keys, ms(h.Window), h.Limit, h.StrikeLimit, ms(h.StrikeWindow), pen, ms(h.PenaltyTTL)).Slice()
	if err != nil {
		return storage.Count{}, fmt.Errorf("storage/redis: hit: %w", err)
	}
	if len(v) != 4 {
		return storage.Count{}, fmt.Errorf("storage/redis: hit: reply of %d values", len(v))
	}
	n, _ := v[0].(int64)
	ttl, _ := v[1].(int64)
	c := storage.Count{N: n, Reset: now.Add(time.Duration(ttl) * time.Millisecond)}
	if dv, ok := v[2].(string); ok {
		dttl, _ := v[3].(int64)
		if dttl > 0 {
			d, err := decode(dv, now.Add(time.Duration(dttl)*time.Millisecond))
			if err != nil {
				return c, err
			}
			c.Decision = d
		}
	}
	return c, nil
}

// SetDecision stores d for client with a TTL of d.Expires-now; an inactive d
// deletes the client's decision.
func (s *Store) SetDecision(ctx context.Context, client string, d storage.Decision, now time.Time) error {
	if !d.Active(now) {
		return s.DeleteDecision(ctx, client)
	}
	if err := s.c.Set(ctx, s.key(client, "d"), encode(d), d.Expires.Sub(now)).Err(); err != nil {
		return fmt.Errorf("storage/redis: set decision: %w", err)
	}
	return nil
}

// Decision returns client's active decision, or one of KindNone.
func (s *Store) Decision(ctx context.Context, client string, now time.Time) (storage.Decision, error) {
	k := s.key(client, "d")
	var get *libredis.StringCmd
	var ttl *libredis.DurationCmd
	_, err := s.c.Pipelined(ctx, func(p libredis.Pipeliner) error {
		get = p.Get(ctx, k)
		ttl = p.PTTL(ctx, k)
		return nil
	})
	if errors.Is(err, libredis.Nil) {
		return storage.Decision{}, nil
	}
	if err != nil {
		return storage.Decision{}, fmt.Errorf("storage/redis: decision: %w", err)
	}
	if ttl.Val() <= 0 {
		return storage.Decision{}, nil
	}
	return decode(get.Val(), now.Add(ttl.Val()))
}

// DeleteDecision removes client's decision.
func (s *Store) DeleteDecision(ctx context.Context, client string) error {
	if err := s.c.Del(ctx, s.key(client, "d")).Err(); err != nil {
		return fmt.Errorf("storage/redis: delete decision: %w", err)
	}
	return nil
}

// Close does nothing: the caller owns the client.
func (s *Store) Close() error { return nil }

var _ storage.Profiles = (*Store)(nil)

// GetProfile returns client's profile, or nil.
func (s *Store) GetProfile(ctx context.Context, client string) ([]byte, error) {
	b, err := s.c.Get(ctx, s.key(client, "p")).Bytes()
	if errors.Is(err, libredis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("storage/redis: get profile: %w", err)
	}
	return b, nil
}

// PutProfile stores p for client for ttl.
func (s *Store) PutProfile(ctx context.Context, client string, p []byte, ttl time.Duration, _ time.Time) error {
	if len(p) > storage.MaxProfileLen {
		return storage.ErrTooLarge
	}
	if err := s.c.Set(ctx, s.key(client, "p"), p, ttl).Err(); err != nil {
		return fmt.Errorf("storage/redis: put profile: %w", err)
	}
	return nil
}
