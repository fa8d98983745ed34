package alerting

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bulwarkhq/bulwark/threat"
)

var t0 = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func mustCorrelator(t testing.TB, cfg Config) *correlator {
	t.Helper()
	c, err := newCorrelator(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

type note struct {
	at     time.Duration
	reason string
	seq    uint64
}

// TestBurstBecomesOneIncident: 10,000 events from one client over a
// minute, threat and rate-limit mixed, give one incident notified when the
// group wait ends, once more for the evidence that came later, then only
// at the repeat interval.
func TestBurstBecomesOneIncident(t *testing.T) {
	c := mustCorrelator(t, Config{
		Secret:         []byte("k"),
		GroupWait:      10 * time.Second,
		GroupInterval:  time.Minute,
		RepeatInterval: 10 * time.Minute,
		ResolveTimeout: time.Hour,
	})
	const n = 10000
	var notes []note
	var alerts []Alert
	next := 0
	for sec := 0; sec <= 35*60; sec++ {
		now := t0.Add(time.Duration(sec) * time.Second)
		for ; next < n; next++ {
			at := t0.Add(time.Duration(next) * time.Minute / n)
			if at.After(now) {
				break
			}
			e := Event{Client: "203.0.113.7", Kind: KindThreat, Score: 0.7, Level: threat.LevelMedium,
				Reasons: []string{"sqli"}, Route: "/login", Method: "POST", Time: at}
			if next%3 == 0 {
				e = Event{Client: "203.0.113.7", Kind: KindRateLimit, Level: threat.LevelLow, Route: "/search", Method: "GET", Time: at}
			}
			if !c.ingest(e) {
				t.Fatalf("event %d dropped", next)
			}
		}
		for _, a := range c.tick(now) {
			notes = append(notes, note{now.Sub(t0), a.Trigger, a.Sequence})
			alerts = append(alerts, a)
		}
	}
	want := []note{
		{10 * time.Second, "new", 1},
		{70 * time.Second, "update", 2},
		{670 * time.Second, "repeat", 3},
		{1270 * time.Second, "repeat", 4},
		{1870 * time.Second, "repeat", 5},
	}
	if !slices.Equal(notes, want) {
		t.Fatalf("notifications = %v, want %v", notes, want)
	}
	if got := c.incidents.Load(); got != 1 {
		t.Fatalf("incidents = %d, want 1", got)
	}
	last := alerts[len(alerts)-1]
	for _, a := range alerts {
		if a.Fingerprint != last.Fingerprint {
			t.Fatalf("fingerprint changed: %s vs %s", a.Fingerprint, last.Fingerprint)
		}
	}
	if last.Count != n || last.Threat+last.RateLimit != n || last.Threat == 0 || last.RateLimit == 0 {
		t.Fatalf("evidence not merged: count %d threat %d ratelimit %d", last.Count, last.Threat, last.RateLimit)
	}
	if last.Level != threat.LevelCritical {
		t.Fatalf("severity %v, want critical (medium escalated twice by volume)", last.Level)
	}
	if alerts[0].Level != threat.LevelCritical || alerts[0].Count >= n {
		t.Fatalf("first notification: severity %v count %d", alerts[0].Level, alerts[0].Count)
	}
	if len(last.Reasons) == 0 || last.Reasons[0].Reason != "sqli" || !slices.Contains(last.Routes, "/search") {
		t.Fatalf("evidence: reasons %v routes %v", last.Reasons, last.Routes)
	}
	if last.Labels[LabelClient] == "203.0.113.7" || last.Labels[LabelClient] != c.Pseudonym("203.0.113.7") {
		t.Fatalf("client label %q is not the pseudonym", last.Labels[LabelClient])
	}
	if len(last.Samples) != maxSamples {
		t.Fatalf("samples = %d", len(last.Samples))
	}
}

func TestEscalationNotifiedBeforeGroupInterval(t *testing.T) {
	c := mustCorrelator(t, Config{Secret: []byte("k"), GroupWait: time.Second, GroupInterval: time.Hour, Escalation: []uint64{5}})
	ev := Event{Client: "a", Kind: KindRateLimit, Level: threat.LevelLow, Time: t0}
	c.ingest(ev)
	if got := c.tick(t0.Add(time.Second)); len(got) != 1 || got[0].Level != threat.LevelLow {
		t.Fatalf("first: %+v", got)
	}
	for range 4 {
		c.ingest(ev)
	}
	got := c.tick(t0.Add(2 * time.Second))
	if len(got) != 1 || got[0].Trigger != "escalated" || got[0].Level != threat.LevelMedium {
		t.Fatalf("escalation: %+v", got)
	}
}

func TestInhibitionAndSilences(t *testing.T) {
	ev := func(client, route string, sev threat.Level, at time.Duration) Event {
		return Event{Client: client, Kind: KindThreat, Level: sev, Route: route, Time: t0.Add(at)}
	}
	type want struct{ client, route string }
	cases := []struct {
		name      string
		events    []Event
		silence   func(c *correlator) Silence
		tickAt    time.Duration
		want      []want
		inhibited uint64
		silenced  uint64
	}{
		{
			name:      "critical mutes lower incidents of the same client only",
			events:    []Event{ev("a", "/login", threat.LevelCritical, 0), ev("a", "/search", threat.LevelLow, 0), ev("b", "/search", threat.LevelLow, 0)},
			tickAt:    time.Minute,
			want:      []want{{"a", "/login"}, {"b", "/search"}},
			inhibited: 1,
		},
		{
			name:   "no critical, nothing muted",
			events: []Event{ev("a", "/login", threat.LevelHigh, 0), ev("a", "/search", threat.LevelLow, 0)},
			tickAt: time.Minute,
			want:   []want{{"a", "/login"}, {"a", "/search"}},
		},
		{
			name:   "silence holds until it expires",
			events: []Event{ev("a", "/login", threat.LevelHigh, 0), ev("b", "/login", threat.LevelHigh, 0)},
			silence: func(c *correlator) Silence {
				return Silence{ID: "s", Match: map[string]string{LabelClient: c.Pseudonym("a")}, Until: t0.Add(time.Hour)}
			},
			tickAt:   time.Minute,
			want:     []want{{"b", "/login"}},
			silenced: 1,
		},
		{
			name:   "expired silence mutes nothing",
			events: []Event{ev("a", "/login", threat.LevelHigh, 0)},
			silence: func(c *correlator) Silence {
				return Silence{ID: "s", Match: map[string]string{LabelClient: c.Pseudonym("a")}, Until: t0.Add(30 * time.Second)}
			},
			tickAt: time.Minute,
			want:   []want{{"a", "/login"}},
		},
		{
			name:   "silence by severity",
			events: []Event{ev("a", "/login", threat.LevelHigh, 0), ev("b", "/login", threat.LevelLow, 0)},
			silence: func(*correlator) Silence {
				return Silence{ID: "low", Match: map[string]string{LabelLevel: "low"}, Until: t0.Add(time.Hour)}
			},
			tickAt:   time.Minute,
			want:     []want{{"a", "/login"}},
			silenced: 1,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := mustCorrelator(t, Config{RawClients: true, GroupBy: []string{LabelClient, LabelRoute}})
			if tc.silence != nil {
				c.Silence(tc.silence(c))
			}
			for _, e := range tc.events {
				c.ingest(e)
			}
			var got []want
			for _, a := range c.tick(t0.Add(tc.tickAt)) {
				got = append(got, want{a.Labels[LabelClient], a.Labels[LabelRoute]})
			}
			slices.SortFunc(got, func(x, y want) int {
				if x.client != y.client {
					if x.client < y.client {
						return -1
					}
					return 1
				}
				if x.route < y.route {
					return -1
				}
				return 1
			})
			if !slices.Equal(got, tc.want) {
				t.Fatalf("notified %v, want %v", got, tc.want)
			}
			if c.inhibited.Load() != tc.inhibited || c.silenced.Load() != tc.silenced {
				t.Fatalf("inhibited %d silenced %d, want %d %d", c.inhibited.Load(), c.silenced.Load(), tc.inhibited, tc.silenced)
			}
		})
	}
}

func TestSilenceExpiryLetsLaterEvidenceThrough(t *testing.T) {
	c := mustCorrelator(t, Config{Secret: []byte("k"), GroupWait: time.Second, GroupInterval: time.Minute})
	c.Silence(Silence{ID: "x", Match: map[string]string{LabelClient: c.Pseudonym("a")}, Until: t0.Add(10 * time.Minute)})
	c.ingest(Event{Client: "a", Time: t0})
	if got := c.tick(t0.Add(2 * time.Second)); len(got) != 0 {
		t.Fatalf("silenced incident notified: %+v", got)
	}
	c.ingest(Event{Client: "a", Time: t0.Add(11 * time.Minute)})
	got := c.tick(t0.Add(11 * time.Minute))
	if len(got) != 1 || got[0].Count != 2 || got[0].Sequence != 1 {
		t.Fatalf("after expiry: %+v", got)
	}
}

func TestResolveAndMaxIncidents(t *testing.T) {
	c := mustCorrelator(t, Config{Secret: []byte("k"), MaxIncidents: 2, GroupWait: time.Second, ResolveTimeout: time.Minute})
	if !c.ingest(Event{Client: "a", Time: t0}) || !c.ingest(Event{Client: "b", Time: t0}) {
		t.Fatal("first two incidents refused")
	}
	if c.ingest(Event{Client: "c", Time: t0}) || c.overflow.Load() != 1 {
		t.Fatal("third incident not refused and counted")
	}
	if !c.ingest(Event{Client: "a", Time: t0}) {
		t.Fatal("event of an existing incident refused")
	}
	c.tick(t0.Add(2 * time.Second))
	c.tick(t0.Add(2 * time.Minute))
	if c.len() != 0 {
		t.Fatalf("idle incidents kept: %d", c.len())
	}
	if !c.ingest(Event{Client: "c", Time: t0.Add(3 * time.Minute)}) {
		t.Fatal("room not freed after resolve")
	}
}

func TestPseudonymKeyed(t *testing.T) {
	a := mustCorrelator(t, Config{Secret: []byte("one")})
	b := mustCorrelator(t, Config{Secret: []byte("two")})
	raw := mustCorrelator(t, Config{RawClients: true})
	if a.Pseudonym("1.2.3.4") == b.Pseudonym("1.2.3.4") {
		t.Fatal("pseudonym does not depend on the secret")
	}
	if p := a.Pseudonym("1.2.3.4"); p != mustCorrelator(t, Config{Secret: []byte("one")}).Pseudonym("1.2.3.4") || p == a.Pseudonym("1.2.3.5") {
		t.Fatal("pseudonym not stable or not distinct")
	}
	if raw.Pseudonym("1.2.3.4") != "1.2.3.4" {
		t.Fatal("RawClients not honoured")
	}
}

func TestConfigErrors(t *testing.T) {
	// Each bad config is refused with ErrConfig and a message that names
	// the culprit.
	cases := []struct {
		name  string
		cfg   Config
		names string
	}{
		{"unknown group label", Config{GroupBy: []string{"ua"}}, "GroupBy"},
		{"unknown default sink", Config{Sinks: []SinkConfig{{Name: "a", Sink: logSink{}}}, DefaultSinks: []string{"b"}}, `DefaultSinks names unknown sink "b"`},
		{"route unknown sink", Config{Sinks: []SinkConfig{{Name: "a", Sink: logSink{}}}, Subscriptions: []Subscription{{Name: "r", Sinks: []string{"b"}}}}, `route 0 (r) names unknown sink "b"`},
		{"duplicate sink", Config{Sinks: []SinkConfig{{Name: "a", Sink: logSink{}}, {Name: "a", Sink: logSink{}}}}, `duplicate name "a"`},
		{"nil sink", Config{Sinks: []SinkConfig{{Name: "a"}}}, "Sinks[0]"},
		{"claimer without secret", Config{Claimer: claimFunc(nil)}, "Secret"},
		{"escalation order", Config{Escalation: []uint64{10, 5}}, "Escalation"},
		{"negative group wait", Config{GroupWait: -1}, "GroupWait"},
		{"negative retry", Config{RetryInitial: -time.Second}, "RetryInitial"},
		{"negative claim timeout", Config{ClaimTimeout: -time.Second}, "ClaimTimeout"},
		{"negative queue", Config{QueueSize: -1}, "QueueSize"},
		{"negative sink timeout", Config{Sinks: []SinkConfig{{Name: "a", Sink: logSink{}, Timeout: -1}}}, `sink "a": Timeout`},
		{"negative sink throttle", Config{Sinks: []SinkConfig{{Name: "a", Sink: logSink{}, Throttle: Throttle{Limit: -1, Per: time.Second}}}}, `sink "a": Throttle`},
		{"negative route throttle", Config{Subscriptions: []Subscription{{Name: "r", Throttle: Throttle{Limit: 1, Per: -time.Second}}}}, "route 0 (r): Throttle"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.cfg)
			if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tc.names) {
				t.Fatalf("error %v, want ErrConfig naming %q", err, tc.names)
			}
		})
	}
}

// The correlator driven directly, with explicit times: nothing during the
// group wait, then one notification whose level rose with the volume.
func TestCorrelatorDrivenDirectly(t *testing.T) {
	c, err := newCorrelator(Config{RawClients: true, GroupWait: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 300 {
		c.ingest(Event{Client: "198.51.100.9", Kind: KindRateLimit, Level: threat.LevelLow,
			Time: t0.Add(time.Duration(i) * 10 * time.Millisecond)})
	}
	if got := c.tick(t0.Add(5 * time.Second)); len(got) != 0 {
		t.Fatalf("%d notifications during the group wait", len(got))
	}
	got := c.tick(t0.Add(10 * time.Second))
	if len(got) != 1 || got[0].Trigger != "new" || got[0].Level != threat.LevelMedium || got[0].Count != 300 {
		t.Fatalf("after the group wait: %+v", got)
	}
}
