// Package redis is the storage backend for fleets: counters and penalty-box
// decisions in Redis through github.com/redis/go-redis/v9, on any
// redis.UniversalClient (single node, Sentinel, Cluster).
//
// A Hit is one Lua script (EVALSHA, EVAL on NOSCRIPT): it reads the client's
// decision, counts the request (a fixed-window counter with its expiry, or
// a sliding-window counter: one hash of the current and previous window's
// counts), counts a strike when the hit is over the limit and writes the
// penalty decision when the strikes reach their limit, and returns count,
// reset and decision in one reply: one round trip.
//
// Keys are "<prefix>{<client>}:<kind>": the client key is the Cluster hash
// tag, so all of a client's keys share one slot, and the prefix lets
// several applications share one Redis. Whatever its bytes, a client key
// makes one non-empty tag: "%" is written "%25" and "}" "%7D", and the
// empty key "%" (Redis takes the tag from the first "{" to the next "}";
// an empty tag, as "" or "}x" would make, hashes the whole key, kind
// included, and a script's keys land in different slots). Other keys are
// written as they are. The prefix may not contain braces.
//
// On a Redis Cluster the Store tells the rate limiter which master holds a
// client's keys (storage.Sharded), from a copy of the slot table that a
// goroutine of the Store refreshes every 5 s and that Close stops; the
// limiter keeps a breaker a master. For the healthy masters to keep
// serving while one is down and has no replica to take over, the Cluster
// needs cluster-require-full-coverage no; with the default (yes) every
// master refuses every command until all slots are covered again.
//
// With Sentinel, Redis replicates asynchronously: writes the master
// acknowledged in about the last second before it failed (counts and
// decisions alike) can be missing on the promoted replica. A ban written
// in that window is lost from Redis, though the instance that made it
// keeps it in its own cache.
package redis

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	libredis "github.com/redis/go-redis/v9"

	"github.com/bulwarkhq/bulwark/internal/backend"
	"github.com/bulwarkhq/bulwark/storage"
)

var _ storage.Store = (*Store)(nil)

// defaultPrefix namespaces keys when Config.Prefix is empty.
const defaultPrefix = "bulwark:"

// Config configures a Store.
type Config struct {
	// Prefix is put before every key. Default "bulwark:". It may not
	// contain "{" or "}": the client key is the keys' hash tag.
	Prefix string
}

// Store is a Redis storage.Store. It does not own the client: Close does not
// close it.
type Store struct {
	c      libredis.UniversalClient
	prefix string

	// On a Cluster: the slot table, refreshed by a goroutine that Close stops.
	cluster   *libredis.ClusterClient
	slots     atomic.Pointer[slotTable]
	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

var _ storage.Sharded = (*Store)(nil)

// New returns a Store on c. On a *redis.ClusterClient it starts the
// goroutine that keeps the slot table; Close stops it.
func New(c libredis.UniversalClient, o Config) (*Store, error) {
	if c == nil {
		return nil, errors.New("storage/redis: nil client")
	}
	if o.Prefix == "" {
		o.Prefix = defaultPrefix
	}
	if strings.ContainsAny(o.Prefix, "{}") {
		return nil, fmt.Errorf("storage/redis: Config.Prefix %q: braces would change the keys' hash tag", o.Prefix)
	}
	s := &Store{c: c, prefix: o.Prefix, stop: make(chan struct{}), done: make(chan struct{})}
	if cc, ok := c.(*libredis.ClusterClient); ok {
		s.cluster = cc
		go s.refreshSlots(slotRefresh)
	} else {
		close(s.done)
	}
	return s, nil
}

type script = *libredis.Script

// newScript wraps go-redis's Script: Run sends EVALSHA and, on NOSCRIPT
// (first use on a server), EVAL.
func newScript(src string) script { return libredis.NewScript(src) }

// KEYS: 1 decision, 2 counter, 3 strikes.
// ARGV: 1 window ms, 2 limit, 3 strike limit, 4 strike window ms,
// 5 penalty value, 6 penalty ttl ms, 7 now (unix ms) for a sliding window,
// absent for a fixed one.
// The sliding branch is backend.Slide step for step; its counter is a hash:
// s window start (unix ms), c current count, p previous count.
var hitScript = newScript(`
local d = redis.call('GET', KEYS[1])
local lim = tonumber(ARGV[2])
local w = tonumber(ARGV[1])
local c, ttl, over
if ARGV[7] then
  local now = tonumber(ARGV[7])
  local start = now - (now % w)
  local v = redis.call('HMGET', KEYS[2], 's', 'c', 'p')
  local s, cur, prev = tonumber(v[1]), tonumber(v[2]) or 0, tonumber(v[3]) or 0
  if not s then
    s, cur, prev = start, 0, 0
  elseif s < start then
    if s == start - w then prev = cur else prev = 0 end
    s, cur = start, 0
  end
  local e = now - s
  if e < 0 then e = 0 elseif e > w then e = w end
  local x = prev * (w - e) + (cur + 1) * w
  c = math.floor((x + w - 1) / w)
  over = lim > 0 and x > lim * w
  if not over then
    ttl = w - e
    cur = cur + 1
  elseif cur < lim and prev > 0 then
    ttl = w - math.floor((lim - cur - 1) * w / prev) - e
  else
    ttl = w - e + w - math.floor((lim - 1) * w / cur)
  end
  redis.call('HSET', KEYS[2], 's', string.format('%.0f', s), 'c', cur, 'p', prev)
  redis.call('PEXPIRE', KEYS[2], 2 * w)
else
  c = redis.call('INCR', KEYS[2])
  ttl = redis.call('PTTL', KEYS[2])
  if ttl < 0 then
    redis.call('PEXPIRE', KEYS[2], ARGV[1])
    ttl = w
  end
  over = lim > 0 and c > lim
end
local dttl = -2
if d then
  dttl = redis.call('PTTL', KEYS[1])
else
  local slim = tonumber(ARGV[3])
  if slim > 0 and over then
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
	return s.prefix + "{" + tag(backend.BoundKey(client)) + "}:" + kind
}

// tag returns client as a non-empty hash tag without "}": "%" becomes
// "%25", "}" "%7D", and "" "%" (no escaped key is a lone "%"), so distinct
// clients keep distinct tags and ordinary keys are unchanged.
func tag(client string) string {
	if client == "" {
		return "%"
	}
	if !strings.ContainsAny(client, "%}") {
		return client
	}
	var b strings.Builder
	b.Grow(len(client) + 8)
	for i := 0; i < len(client); i++ {
		switch ch := client[i]; ch {
		case '%':
			b.WriteString("%25")
		case '}':
			b.WriteString("%7D")
		default:
			b.WriteByte(ch)
		}
	}
	return b.String()
}

func ms(d time.Duration) int64 {
	if m := d.Milliseconds(); m > 0 {
		return m
	}
	return 1
}

// encode and decode a decision value: "kind|factor|reason".
func encode(d storage.Decision) string {
	return strconv.Itoa(int(d.Action)) + "|" + strconv.FormatFloat(d.Factor, 'g', -1, 64) + "|" + d.Reason
}

func decode(v string, expires time.Time) (storage.Decision, error) {
	parts := strings.SplitN(v, "|", 3)
	if len(parts) != 3 {
		return storage.Decision{}, fmt.Errorf("storage/redis: malformed decision %q", v)
	}
	k, err := strconv.Atoi(parts[0])
	if err != nil || k < 0 || k > int(storage.ActionBan) {
		return storage.Decision{}, fmt.Errorf("storage/redis: malformed decision kind %q", v)
	}
	f, err := strconv.ParseFloat(parts[1], 64)
	if err != nil {
		return storage.Decision{}, fmt.Errorf("storage/redis: malformed decision factor %q", v)
	}
	return storage.Decision{Action: storage.Action(k), Factor: f, Reason: parts[2], Expires: expires}, nil
}

// Hit counts one request in one round trip. Reset and the decision's expiry
// come from the server's TTLs, relative to now.
func (s *Store) Hit(ctx context.Context, h storage.Hit, now time.Time) (storage.Count, error) {
	kind := "c:"
	if h.Algorithm == storage.SlidingWindow {
		kind = "w:"
	}
	keys := []string{s.key(h.Client, "d"), s.key(h.Client, kind+backend.BoundKey(h.Bucket)), s.key(h.Client, "s")}
	pen := ""
	if h.StrikeLimit > 0 {
		pen = encode(h.Penalty)
	}
	args := []any{ms(h.Window), h.Limit, h.StrikeLimit, ms(h.StrikeWindow), pen, ms(h.PenaltyTTL)}
	if h.Algorithm == storage.SlidingWindow {
		args = append(args, now.UnixMilli())
	}
	v, err := hitScript.Run(ctx, s.c, keys, args...).Slice()
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

// Decision returns client's active decision, or one of ActionNone.
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

// Close stops the slot table's goroutine on a Cluster. It does not close
// the client, which the caller owns. It is safe to call more than once.
func (s *Store) Close() error {
	s.closeOnce.Do(func() { close(s.stop) })
	<-s.done
	return nil
}
