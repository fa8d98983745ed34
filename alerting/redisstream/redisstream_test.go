package redisstream_test

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"

	"go.uber.org/goleak"

	"github.com/bulwarkhq/bulwark/alerting"
	"github.com/bulwarkhq/bulwark/alerting/redisstream"
	"github.com/bulwarkhq/bulwark/internal/redistest"
	"github.com/bulwarkhq/bulwark/threat"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func alert(i int) alerting.Alert {
	return alerting.Alert{
		Fingerprint: "fp" + strconv.Itoa(i), Level: threat.LevelHigh, Priority: 60 + i%10,
		Sequence: 1, Trigger: "new", Count: uint64(i), Labels: map[string]string{alerting.LabelClient: "c_" + strconv.Itoa(i)},
		Summary: "high incident " + strconv.Itoa(i),
	}
}

// TestEntriesReadBack: what Send appends reads back with XRANGE, in
// order, fields and JSON intact.
func TestEntriesReadBack(t *testing.T) {
	rdb, prefix := redistest.Client(t)
	ctx := context.Background()
	stream := prefix + "alerts"
	s, err := redisstream.New(redisstream.Config{Client: rdb, Stream: stream})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if err := s.Send(ctx, alert(i)); err != nil {
			t.Fatal(err)
		}
	}
	msgs, err := rdb.XRange(ctx, stream, "-", "+").Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 3 {
		t.Fatalf("%d entries", len(msgs))
	}
	for i, m := range msgs {
		var back alerting.Alert
		if err := json.Unmarshal([]byte(m.Values["alert"].(string)), &back); err != nil {
			t.Fatal(err)
		}
		want := alert(i)
		if m.Values["fingerprint"] != want.Fingerprint || m.Values["level"] != "high" ||
			m.Values["priority"] != strconv.Itoa(want.Priority) || back.Fingerprint != want.Fingerprint ||
			back.Level != want.Level || back.Labels[alerting.LabelClient] != want.Labels[alerting.LabelClient] || back.Count != want.Count {
			t.Fatalf("entry %d: %v / %+v", i, m.Values, back)
		}
	}
}

// TestMaxLenCaps: many more alerts than the cap leave the stream at the
// cap exactly (Exact) or within one Redis node of it (approximate, the
// default), keeping the newest entries.
func TestMaxLenCaps(t *testing.T) {
	rdb, _ := redistest.Client(t)
	ctx := context.Background()
	// Approximate trimming removes whole nodes of stream-node-max-entries.
	node := int64(100)
	if cfg, err := rdb.ConfigGet(ctx, "stream-node-max-entries").Result(); err == nil {
		if n, err := strconv.ParseInt(cfg["stream-node-max-entries"], 10, 64); err == nil && n > 0 {
			node = n
		}
	}
	const capLen = 50
	sends := int(capLen + 3*node)
	for _, exact := range []bool{true, false} {
		t.Run("exact="+strconv.FormatBool(exact), func(t *testing.T) {
			_, prefix := redistest.Client(t)
			stream := prefix + "alerts"
			s, err := redisstream.New(redisstream.Config{Client: rdb, Stream: stream, MaxLen: capLen, Exact: exact})
			if err != nil {
				t.Fatal(err)
			}
			for i := range sends {
				if err := s.Send(ctx, alert(i)); err != nil {
					t.Fatal(err)
				}
			}
			n, err := rdb.XLen(ctx, stream).Result()
			if err != nil {
				t.Fatal(err)
			}
			if exact && n != capLen || !exact && (n < capLen || n > capLen+node) {
				t.Fatalf("length %d after %d sends, cap %d (node %d)", n, sends, capLen, node)
			}
			last, err := rdb.XRevRangeN(ctx, stream, "+", "-", 1).Result()
			if err != nil || len(last) != 1 || last[0].Values["fingerprint"] != "fp"+strconv.Itoa(sends-1) {
				t.Fatalf("newest entry %v (%v)", last, err)
			}
		})
	}
}

func TestSendErrorIsRetryable(t *testing.T) {
	rdb, prefix := redistest.Client(t)
	s, err := redisstream.New(redisstream.Config{Client: rdb, Stream: prefix + "alerts"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Send(ctx, alert(1)); err == nil || alerting.IsPermanent(err) {
		t.Fatalf("Send with a dead context = %v", err)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	rdb, _ := redistest.Client(t)
	for name, cfg := range map[string]redisstream.Config{
		"no client": {Stream: "s"},
		"no stream": {Client: rdb},
		"negative":  {Client: rdb, Stream: "s", MaxLen: -1},
	} {
		if _, err := redisstream.New(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
