package server

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/bulwarkhq/bulwark/internal/event"
	"github.com/bulwarkhq/bulwark/internal/history"
	"github.com/bulwarkhq/bulwark/internal/stream"
)

// IngestStats are the ingest consumer's counters.
type IngestStats struct {
	Messages   uint64 // stream messages acknowledged
	Inserted   uint64 // events new to the store
	Duplicates uint64 // events already stored (redeliveries, replays)
	Reports    uint64
	Poison     uint64 // messages that did not decode, terminated
	Failures   uint64 // store writes that failed (retried)
	Healthy    bool   // the last store write succeeded
	// Latency of events (event time to commit): a uniform sample of the
	// events since the start or ResetLatency.
	Latency []time.Duration
}

// ingestor is the durable consumer that moves the stream into the store.
type ingestor struct {
	workers int
	cons    jetstream.Consumer
	store   history.Store
	log     *slog.Logger

	mu      sync.Mutex
	st      IngestStats
	lat     []time.Duration // a uniform sample of event latencies
	latSeen int64
	// OnCommit, when set, is called after each committed batch of events.
	onCommit func([]*event.Batch, time.Time)
	// OnReports, when set, is called with each committed batch of reports.
	onReports func(context.Context, []*event.Report)
}

const latencySamples = 1 << 16

func newIngestor(ctx context.Context, js jetstream.JetStream, store history.Store, workers int, log *slog.Logger) (*ingestor, error) {
	cons, err := js.CreateOrUpdateConsumer(ctx, stream.StreamName, jetstream.ConsumerConfig{
		Durable:       "ingest",
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       30 * time.Second,
		MaxAckPending: 50_000,
		MaxDeliver:    -1,
		FilterSubject: stream.SubjectPrefix + ".>",
	})
	if err != nil {
		return nil, err
	}
	return &ingestor{workers: max(workers, 1), cons: cons, store: store, log: log, lat: make([]time.Duration, 0, latencySamples)}, nil
}

func (in *ingestor) stats() IngestStats {
	in.mu.Lock()
	defer in.mu.Unlock()
	s := in.st
	s.Latency = slices.Clone(in.lat)
	return s
}

// maxEvents bounds one store transaction.
const maxEvents = 20_000

// run pulls messages, writes each gathered batch in one transaction and
// acknowledges its messages only after the commit. While the store
// fails, it keeps retrying the same batch and acknowledges nothing (the
// messages wait in the stream; their ack deadline is extended).
func (in *ingestor) run(ctx context.Context) {
	var it jetstream.MessagesContext
	for ctx.Err() == nil {
		var err error
		it, err = in.cons.Messages(jetstream.PullMaxMessages(2000), jetstream.PullExpiry(5*time.Second))
		if err == nil {
			break
		}
		in.log.Warn("controlplane: ingest consumer", "err", err)
		sleep(ctx, time.Second)
	}
	if it == nil {
		return
	}
	defer it.Stop()
	go func() { <-ctx.Done(); it.Stop() }()
	// One goroutine gathers and decodes; workers write (in parallel where
	// the store takes concurrent transactions) and acknowledge.
	type job struct {
		msgs    []jetstream.Msg
		batches []*event.Batch
		reports []*event.Report
	}
	jobs := make(chan job)
	var wg sync.WaitGroup
	for i := 0; i < in.workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				in.write(ctx, j.msgs, j.batches, j.reports)
			}
		}()
	}
	defer func() { close(jobs); wg.Wait() }()
	for ctx.Err() == nil {
		var msgs []jetstream.Msg
		var batches []*event.Batch
		var reports []*event.Report
		events := 0
		var deadline time.Time // set by the first message: gather for 10 ms more
		for events < maxEvents && len(msgs) < 500 {
			wait := time.Until(deadline)
			if len(msgs) == 0 {
				wait = time.Second
			}
			if wait <= 0 {
				break
			}
			m, err := it.Next(jetstream.NextMaxWait(wait))
			if err != nil {
				if errors.Is(err, jetstream.ErrMsgIteratorClosed) {
					return
				}
				break // timeout: write what we have
			}
			switch {
			case strings.Contains(m.Subject(), ".batch."):
				b, err := event.DecodeBatch(m.Data())
				if err != nil {
					in.poison(m, err)
					continue
				}
				batches = append(batches, b)
				events += len(b.Events)
			case strings.Contains(m.Subject(), ".report."):
				r, err := event.DecodeReport(m.Data())
				if err != nil {
					in.poison(m, err)
					continue
				}
				reports = append(reports, r)
			default:
				in.poison(m, errors.New("unknown subject"))
				continue
			}
			msgs = append(msgs, m)
			if len(msgs) == 1 {
				deadline = time.Now().Add(10 * time.Millisecond)
			}
		}
		if len(msgs) == 0 {
			continue
		}
		select {
		case jobs <- job{msgs, batches, reports}:
		case <-ctx.Done():
			return
		}
	}
}

func (in *ingestor) poison(m jetstream.Msg, err error) {
	in.log.Warn("controlplane: undecodable message terminated", "subject", m.Subject(), "err", err)
	_ = m.Term()
	in.mu.Lock()
	in.st.Poison++
	in.mu.Unlock()
}

// reportQueue bounds the ingested health reports waiting for what they
// ask of the control plane (incidents, penalty bans), in batches.
const reportQueue = 256

// write stores one gathered batch, retrying until it commits or ctx ends.
func (in *ingestor) write(ctx context.Context, msgs []jetstream.Msg, batches []*event.Batch, reports []*event.Report) {
	backoff := 100 * time.Millisecond
	lastProgress := time.Now()
	for {
		res, err := in.store.Ingest(ctx, batches, reports)
		if err == nil {
			now := time.Now()
			for _, m := range msgs {
				_ = m.Ack()
			}
			in.mu.Lock()
			in.st.Messages += uint64(len(msgs))
			in.st.Inserted += uint64(res.Inserted)
			in.st.Duplicates += uint64(res.Duplicates)
			in.st.Reports += uint64(res.Reports)
			in.st.Healthy = true
			// a uniform sample of every event since the last reset
			// (reservoir sampling, Vitter's algorithm R)
			for _, b := range batches {
				for i := range b.Events {
					d := now.Sub(b.Events[i].Time)
					in.latSeen++
					if len(in.lat) < latencySamples {
						in.lat = append(in.lat, d)
					} else if j := rand.Int64N(in.latSeen); j < latencySamples {
						in.lat[j] = d
					}
				}
			}
			f, fr := in.onCommit, in.onReports
			in.mu.Unlock()
			if f != nil {
				f(batches, now)
			}
			if fr != nil && len(reports) > 0 {
				fr(ctx, reports)
			}
			return
		}
		in.mu.Lock()
		in.st.Failures++
		in.st.Healthy = false
		in.mu.Unlock()
		in.log.Warn("controlplane: store write failed; not acknowledging, retrying", "err", err, "messages", len(msgs))
		if time.Since(lastProgress) > 10*time.Second {
			for _, m := range msgs {
				_ = m.InProgress() // keep them ours past AckWait
			}
			lastProgress = time.Now()
		}
		if !sleep(ctx, backoff) {
			return // not acknowledged: redelivered to the next run
		}
		backoff = min(backoff*2, 5*time.Second)
	}
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// ResetLatency forgets the latency samples (the load command measures
// after its warm-up).
func (s *Server) ResetLatency() {
	s.ingest.mu.Lock()
	s.ingest.lat, s.ingest.latSeen = s.ingest.lat[:0], 0
	s.ingest.mu.Unlock()
}
