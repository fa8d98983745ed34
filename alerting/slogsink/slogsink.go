// Package slogsink is an alerting sink that writes each alert as one
// structured log record through log/slog. (With no sinks configured, an
// alerting.Dispatcher already logs through slog.Default; this package is
// for choosing the logger, the levels and the attributes.)
//
//	d, err := alerting.New(alerting.Config{Sinks: []alerting.SinkConfig{
//		{Name: "log", Sink: slogsink.New(slogsink.Config{Logger: logger})},
//	}})
package slogsink

import (
	"context"
	"log/slog"
	"strconv"

	"github.com/bulwarkhq/bulwark/alerting"
	"github.com/bulwarkhq/bulwark/threat"
)

// Config configures a Sink. The zero value logs to slog.Default().
type Config struct {
	// Logger receives the records. Default: slog.Default() at Send time.
	Logger *slog.Logger
	// Level maps an alert's level to a slog level. Default: critical
	// and high are errors, medium is a warning, low and info are info.
	Level func(threat.Level) slog.Level
	// Samples adds the alert's sample events as a group (off by default:
	// they make long lines).
	Samples bool
}

// Sink logs alerts.
type Sink struct {
	cfg Config
}

var _ alerting.Sink = (*Sink)(nil)

// New returns a Sink for cfg.
func New(cfg Config) *Sink {
	if cfg.Level == nil {
		cfg.Level = defaultLevel
	}
	return &Sink{cfg: cfg}
}

// defaultLevel is the default mapping of alert levels to slog levels.
func defaultLevel(s threat.Level) slog.Level {
	switch {
	case s >= threat.LevelHigh:
		return slog.LevelError
	case s == threat.LevelMedium:
		return slog.LevelWarn
	}
	return slog.LevelInfo
}

// Send logs a with its summary as the message. It never fails.
func (s *Sink) Send(ctx context.Context, a alerting.Alert) error {
	l := s.cfg.Logger
	if l == nil {
		l = slog.Default()
	}
	lvl := s.cfg.Level(a.Level)
	if !l.Enabled(ctx, lvl) {
		return nil
	}
	labels := make([]any, 0, len(a.Labels))
	for k, v := range a.Labels {
		labels = append(labels, slog.String(k, v))
	}
	reasons := make([]any, 0, len(a.Reasons))
	for _, r := range a.Reasons {
		reasons = append(reasons, slog.Uint64(r.Reason, r.Count))
	}
	attrs := []slog.Attr{
		slog.String("fingerprint", a.Fingerprint),
		slog.String("alert_level", a.Level.String()),
		slog.Int("priority", a.Priority),
		slog.Uint64("sequence", a.Sequence),
		slog.String("trigger", a.Trigger),
		slog.Group("labels", labels...),
		slog.Uint64("count", a.Count),
		slog.Uint64("threat", a.Threat),
		slog.Uint64("rate_limit", a.RateLimit),
		slog.Uint64("penalty", a.Penalty),
		slog.Float64("max_score", a.MaxScore),
		slog.Time("first_seen", a.FirstSeen),
		slog.Time("last_seen", a.LastSeen),
		slog.Group("reasons", reasons...),
		slog.Any("routes", a.Routes),
	}
	if s.cfg.Samples {
		samples := make([]any, 0, len(a.Samples))
		for i, e := range a.Samples {
			samples = append(samples, slog.Group(strconv.Itoa(i),
				slog.String("kind", e.Kind.String()), slog.Float64("score", e.Score),
				slog.String("alert_level", e.Level.String()), slog.String("route", e.Route),
				slog.String("method", e.Method), slog.Any("reasons", e.Reasons), slog.Time("time", e.Time)))
		}
		attrs = append(attrs, slog.Group("samples", samples...))
	}
	l.LogAttrs(ctx, lvl, a.Summary, attrs...)
	return nil
}
