package slack

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/bulwarkhq/bulwark/alerting"
	"github.com/bulwarkhq/bulwark/threat"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var incident = alerting.Alert{
	Fingerprint: "a1b2c3",
	Labels:      map[string]string{alerting.LabelClient: "c_0123456789"},
	Level:       threat.LevelCritical,
	Priority:    91,
	Sequence:    1,
	Trigger:     "new",
	Count:       1200, Threat: 800, RateLimit: 400,
	MaxScore:  0.97,
	FirstSeen: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC),
	LastSeen:  time.Date(2026, 11, 23, 12, 1, 0, 0, time.UTC),
	Reasons: []alerting.ReasonCount{
		{Reason: "sqli", Count: 700}, {Reason: "scanner", Count: 90}, {Reason: "xss", Count: 10},
		{Reason: "<!channel>", Count: 5}, {Reason: "traversal", Count: 2}, {Reason: "ssrf", Count: 1},
	},
	Routes:  []string{"/login", "/search"},
	Summary: "critical incident from client c_0123456789: 1200 events",
}

// TestSendPostsSummaryAndTopReasons: the webhook receives one JSON
// message with the summary and the five most frequent reasons, escaped.
func TestSendPostsSummaryAndTopReasons(t *testing.T) {
	bodies := make(chan []byte, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		b, _ := io.ReadAll(r.Body)
		bodies <- b
		_, _ = io.WriteString(w, "ok")
	}))
	defer srv.Close()
	s, err := New(Config{URL: srv.URL, Client: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), incident); err != nil {
		t.Fatal(err)
	}
	var m message
	if err := json.Unmarshal(<-bodies, &m); err != nil {
		t.Fatal(err)
	}
	if m.Text != incident.Summary {
		t.Fatalf("text %q", m.Text)
	}
	var all strings.Builder
	for _, b := range m.Blocks {
		if b.Text != nil {
			all.WriteString(b.Text.Text + "\n")
		}
		for _, f := range append(b.Fields, b.Elements...) {
			all.WriteString(f.Text + "\n")
		}
	}
	text := all.String()
	for _, want := range []string{"critical", "priority 91", "`sqli` × 700", "`traversal` × 2", "&lt;!channel&gt;", "c_0123456789", "`/login`", "a1b2c3", "0.97"} {
		if !strings.Contains(text, want) {
			t.Errorf("message lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "ssrf") {
		t.Errorf("message lists more than the top 5 reasons:\n%s", text)
	}
	if strings.Contains(text, "<!channel>") {
		t.Errorf("mention not escaped:\n%s", text)
	}
}

func TestSendClassifiesStatus(t *testing.T) {
	cases := []struct {
		status             int
		wantErr, permanent bool
	}{
		{200, false, false}, {400, true, true}, {403, true, true}, {404, true, true}, {410, true, true},
		{429, true, false}, {500, true, false}, {503, true, false},
	}
	for _, tc := range cases {
		t.Run(strconv.Itoa(tc.status), func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tc.status)
				_, _ = io.WriteString(w, "invalid_payload")
			}))
			defer srv.Close()
			s, err := New(Config{URL: srv.URL, Client: srv.Client()})
			if err != nil {
				t.Fatal(err)
			}
			err = s.Send(context.Background(), incident)
			if (err != nil) != tc.wantErr || alerting.IsPermanent(err) != tc.permanent {
				t.Fatalf("Send = %v (permanent %v)", err, alerting.IsPermanent(err))
			}
		})
	}
}

// TestThroughDispatcher: a 500 from Slack is retried by the dispatcher
// until the webhook answers.
func TestThroughDispatcher(t *testing.T) {
	calls := make(chan int, 16)
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls <- int(n.Add(1))
		if n.Load() < 3 {
			http.Error(w, "try later", http.StatusInternalServerError)
			return
		}
		_, _ = io.WriteString(w, "ok")
	}))
	defer srv.Close()
	s, err := New(Config{URL: srv.URL, Client: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	d, err := alerting.New(alerting.Config{
		Secret: []byte("k"), TickInterval: -1,
		Sinks:        []alerting.SinkConfig{{Name: "slack", Sink: s}},
		RetryInitial: time.Millisecond, RetryMax: 4 * time.Millisecond, RetryMaxElapsed: time.Minute,
	})
	if err != nil {
		t.Fatal(err)
	}
	d.Publish(alerting.Event{Client: "203.0.113.9", Kind: alerting.KindThreat, Level: threat.LevelHigh, Reasons: []string{"sqli"}})
	if err := d.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st := d.Stats(); totals(st).Delivered != 1 || totals(st).Retries != 2 || len(calls) != 3 {
		t.Fatalf("calls %d, stats %+v", len(calls), st)
	}
}

func TestNewRejectsBadURL(t *testing.T) {
	for _, u := range []string{"", "hooks.slack.com/x", "ftp://x.example/"} {
		if _, err := New(Config{URL: u}); err == nil {
			t.Errorf("%q accepted", u)
		}
	}
}

// FuzzFormat: whatever a request put in the routes, reasons and client
// label, the message is valid JSON, carries no raw <, > or & (no link,
// mention or entity injection) and no backtick that would close a code
// span early.
func FuzzFormat(f *testing.F) {
	f.Add("<!channel>", "/login", "c_1", "summary")
	f.Add("`<https://evil.example|click>`", "/a&b", "<@U123>", "&lt;")
	f.Add("\xff\xfe", "", "", "\u202e")
	f.Fuzz(func(t *testing.T, reason, route, client, summary string) {
		a := incident
		a.Reasons = []alerting.ReasonCount{{Reason: reason, Count: 1}}
		a.Routes = []string{route}
		a.Labels = map[string]string{alerting.LabelClient: client}
		a.Summary = summary
		m := format(a, 5)
		if _, err := json.Marshal(m); err != nil {
			t.Fatal(err)
		}
		check := func(s string) {
			// Escaped entities are the only '&'s: strip them, then look.
			rest := strings.NewReplacer("&amp;", "", "&lt;", "", "&gt;", "").Replace(s)
			if strings.ContainsAny(rest, "<>&") || strings.Count(s, "`")%2 != 0 {
				t.Fatalf("unescaped text %q", s)
			}
		}
		check(m.Text)
		for _, b := range m.Blocks {
			if b.Text != nil {
				check(b.Text.Text)
			}
			for _, x := range append(b.Fields, b.Elements...) {
				check(x.Text)
			}
		}
	})
}

// totals adds up the sinks' counters.
func totals(st alerting.Stats) alerting.SinkStats {
	var t alerting.SinkStats
	for _, s := range st.Sinks {
		t.Delivered += s.Delivered
		t.Failed += s.Failed
		t.Dropped += s.Dropped
		t.Throttled += s.Throttled
		t.Retries += s.Retries
		t.Duplicates += s.Duplicates
		t.ClaimErrors += s.ClaimErrors
	}
	return t
}
