// Package redisstream is an alerting sink that appends each alert to a
// Redis stream with XADD, capped with MAXLEN so the stream cannot grow
// without bound. Consumers read it with XREAD or a consumer group.
//
//	s, err := redisstream.New(redisstream.Config{Client: rdb, Stream: "myapp:alerts"})
//	d, err := alerting.New(alerting.Config{Sinks: []alerting.SinkConfig{{Name: "stream", Sink: s}}})
//
// Each entry has the fields fingerprint, level, priority, sequence,
// trigger, summary and alert (the whole alert as JSON).
package redisstream

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	libredis "github.com/redis/go-redis/v9"

	"github.com/bulwarkhq/bulwark/alerting"
)

// Config configures a Sink.
type Config struct {
	// Client is the Redis (single, Sentinel or Cluster). Required.
	Client libredis.UniversalClient
	// Stream is the stream's key. Required.
	Stream string
	// MaxLen caps the stream's length. Default 10000.
	MaxLen int64
	// Exact trims to exactly MaxLen entries. By default the cap is
	// approximate (MAXLEN ~), which lets Redis trim whole nodes: cheaper,
	// and the stream may hold somewhat more than MaxLen entries.
	Exact bool
}

// Sink appends alerts to a Redis stream.
type Sink struct {
	cfg Config
}

var _ alerting.Sink = (*Sink)(nil)

// New validates cfg and returns a Sink.
func New(cfg Config) (*Sink, error) {
	if cfg.Client == nil {
		return nil, errors.New("redisstream: Client is required")
	}
	if cfg.Stream == "" {
		return nil, errors.New("redisstream: Stream is required")
	}
	if cfg.MaxLen < 0 {
		return nil, fmt.Errorf("redisstream: MaxLen %d is negative", cfg.MaxLen)
	}
	if cfg.MaxLen == 0 {
		cfg.MaxLen = 10000
	}
	return &Sink{cfg: cfg}, nil
}

// Send appends a to the stream; Redis errors are retried by the
// dispatcher.
func (s *Sink) Send(ctx context.Context, a alerting.Alert) error {
	body, err := json.Marshal(a)
	if err != nil {
		return alerting.Permanent(fmt.Errorf("redisstream: encode: %w", err))
	}
	err = s.cfg.Client.XAdd(ctx, &libredis.XAddArgs{
		Stream: s.cfg.Stream,
		MaxLen: s.cfg.MaxLen,
		Approx: !s.cfg.Exact,
		Values: []any{
			"fingerprint", a.Fingerprint,
			"level", a.Level.String(),
			"priority", strconv.Itoa(a.Priority),
			"sequence", strconv.FormatUint(a.Sequence, 10),
			"trigger", a.Trigger,
			"summary", a.Summary,
			"alert", body,
		},
	}).Err()
	if err != nil {
		return fmt.Errorf("redisstream: XADD %s: %w", s.cfg.Stream, err)
	}
	return nil
}
