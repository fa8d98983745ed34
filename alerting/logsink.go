package alerting

import (
	"context"
	"log/slog"
)

// logSink is the default sink when none is configured: slog.Default().
// alerting/slogsink is the configurable one.
type logSink struct{}

func (logSink) Send(ctx context.Context, a Alert) error {
	slog.Default().LogAttrs(ctx, slog.LevelWarn, a.Summary,
		slog.String("fingerprint", a.Fingerprint),
		slog.String("alert_level", a.Level.String()),
		slog.Int("priority", a.Priority),
		slog.Uint64("sequence", a.Sequence),
		slog.String("trigger", a.Trigger),
	)
	return nil
}
