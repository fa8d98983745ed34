// Package alerting turns threat and rate-limit events into correlated
// incidents and delivers them to pluggable sinks without blocking the
// request path.
//
// A [Dispatcher] takes [Event]s through Publish, which never blocks: the
// event goes on a bounded queue or is dropped and counted. One worker
// goroutine feeds a correlator, which groups events into incidents (by
// default one per client, merging threat, rate-limit and penalty events)
// and decides, in the manner of Prometheus Alertmanager, when each is
// notified: after GroupWait for a new incident, at most every
// GroupInterval while new evidence arrives, on escalation (the level rises
// with volume), and every RepeatInterval while it stays active.
// Inhibition rules (a critical incident mutes its client's lower ones)
// and silences mute notifications; each carries a priority from level,
// score and volume. Subscriptions send each [Alert] to named sinks; each sink has
// its own queue, goroutine, timeout, retries with jittered exponential
// backoff, throttle and circuit breaker, so a slow or dead sink never
// stalls the others. Nothing is dropped silently: [Dispatcher.Stats] and
// the OTel counters count every refusal, throttle, failure and retry, and
// Config.DeadLetter receives undelivered alerts.
//
// Client keys leave the process as keyed HMAC-SHA256 pseudonyms unless
// Config.RawClients is set. Replicas sharing a Redis notify each incident
// once with a Claimer (alerting/redisclaim) and a shared Config.Secret.
//
// The shortest use, with the zero Config logging incidents through
// slog.Default:
//
//	d, err := alerting.New(alerting.Config{})
//	if err != nil { … }
//	defer d.Close(context.Background())
//	d.Publish(alerting.Event{Client: ip, Kind: alerting.KindThreat, Score: 0.93, Level: threat.LevelHigh})
//
// Sinks live in sub-packages: alerting/webhook (signed JSON),
// alerting/slack, alerting/slogsink, alerting/otelsink and
// alerting/redisstream; any type with a Send method is a [Sink].
package alerting
