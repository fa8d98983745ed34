// Package slack is an alerting sink that posts each alert to a Slack
// incoming webhook: the incident's summary, its level and priority,
// and its top reasons.
//
//	s, err := slack.New(slack.Config{URL: "https://hooks.slack.com/services/T000/B000/XXXX"})
//	d, err := alerting.New(alerting.Config{Sinks: []alerting.SinkConfig{{Name: "slack", Sink: s}}})
package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/bulwarkhq/bulwark/alerting"
	"github.com/bulwarkhq/bulwark/threat"
)

// Config configures a Slack Sink.
type Config struct {
	// URL is the incoming webhook's address. Required.
	URL string
	// Client sends the requests. Default: a new http.Client. A request is
	// bounded by the context Send gets (the dispatcher's
	// SinkConfig.Timeout, 5s by default) and the Client's own Timeout.
	Client *http.Client
}

// topReasons is how many reasons a message lists.
const topReasons = 5

// Sink posts alerts to a Slack incoming webhook.
type Sink struct {
	cfg Config
}

var _ alerting.Sink = (*Sink)(nil)

// New validates cfg and returns a Sink.
func New(cfg Config) (*Sink, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("slack: URL %q must be an absolute http(s) URL", cfg.URL)
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{}
	}
	return &Sink{cfg: cfg}, nil
}

// message is the JSON body posted to the webhook: Text is the
// notification's fallback, Blocks the formatted message.
type message struct {
	Text   string  `json:"text"`
	Blocks []block `json:"blocks,omitempty"`
}

// block is a Slack layout block (header, section or context).
type block struct {
	Type     string `json:"type"`
	Text     *text  `json:"text,omitempty"`
	Fields   []text `json:"fields,omitempty"`
	Elements []text `json:"elements,omitempty"`
}

// text is a Slack text object.
type text struct {
	Type string `json:"type"` // plain_text or mrkdwn
	Text string `json:"text"`
}

// format builds the message for a, listing at most top reasons. Every
// text that comes from a request (routes, reasons, labels) is escaped, so
// an attacker cannot inject links or mentions into the channel.
func format(a alerting.Alert, top int) message {
	icon := map[threat.Level]string{
		threat.LevelCritical: ":rotating_light:",
		threat.LevelHigh:     ":red_circle:",
		threat.LevelMedium:   ":large_orange_circle:",
	}[a.Level]
	if icon == "" {
		icon = ":large_blue_circle:"
	}
	title := fmt.Sprintf("%s %s incident (priority %d, #%d %s)", icon, a.Level, a.Priority, a.Sequence, a.Trigger)
	fields := []text{
		{"mrkdwn", fmt.Sprintf("*Events*\n%d (%d threat, %d rate-limit, %d penalty)", a.Count, a.Threat, a.RateLimit, a.Penalty)},
		{"mrkdwn", fmt.Sprintf("*Max score*\n%.2f", a.MaxScore)},
		{"mrkdwn", fmt.Sprintf("*First seen*\n%s", a.FirstSeen.UTC().Format(time.RFC3339))},
		{"mrkdwn", fmt.Sprintf("*Last seen*\n%s", a.LastSeen.UTC().Format(time.RFC3339))},
	}
	if c, ok := a.Labels[alerting.LabelClient]; ok {
		fields = append(fields, text{"mrkdwn", "*Client*\n`" + escape(c) + "`"})
	}
	if len(a.Routes) > 0 {
		rs := make([]string, len(a.Routes))
		for i, r := range a.Routes {
			rs[i] = "`" + escape(r) + "`"
		}
		fields = append(fields, text{"mrkdwn", "*Routes*\n" + strings.Join(rs, ", ")})
	}
	m := message{
		Text: escape(a.Summary),
		Blocks: []block{
			{Type: "section", Text: &text{"mrkdwn", "*" + escape(title) + "*\n" + escape(a.Summary)}},
			{Type: "section", Fields: fields},
		},
	}
	if len(a.Reasons) > 0 {
		var b strings.Builder
		b.WriteString("*Top reasons*")
		for _, r := range a.Reasons[:min(top, len(a.Reasons))] {
			fmt.Fprintf(&b, "\n• `%s` × %d", escape(r.Reason), r.Count)
		}
		m.Blocks = append(m.Blocks, block{Type: "section", Text: &text{"mrkdwn", b.String()}})
	}
	m.Blocks = append(m.Blocks, block{Type: "context", Elements: []text{{"mrkdwn", "fingerprint `" + escape(a.Fingerprint) + "`"}}})
	return m
}

// escape applies Slack's three mandatory escapes and removes backticks,
// so request-controlled text cannot close a code span or form a link,
// mention or command.
func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "`", "'").Replace(s)
}

// Send posts a. A 2xx answer is success; 408, 429 and 5xx are retried by
// the dispatcher; other statuses (invalid payload, revoked or archived
// webhook) are permanent failures.
func (s *Sink) Send(ctx context.Context, a alerting.Alert) error {
	body, err := json.Marshal(format(a, topReasons))
	if err != nil {
		return alerting.Permanent(fmt.Errorf("slack: encode: %w", err))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.cfg.URL, bytes.NewReader(body))
	if err != nil {
		return alerting.Permanent(fmt.Errorf("slack: %w", err))
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.cfg.Client.Do(req)
	if err != nil {
		return fmt.Errorf("slack: %w", err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return nil
	case resp.StatusCode == http.StatusRequestTimeout, resp.StatusCode == http.StatusTooManyRequests, resp.StatusCode >= 500:
		return fmt.Errorf("slack: %s: %q", resp.Status, msg)
	default:
		return alerting.Permanent(fmt.Errorf("slack: %s: %q", resp.Status, msg))
	}
}
