package decision

import (
	"errors"
	"testing"
	"time"
)

func TestClockMonotonic(t *testing.T) {
	now := time.Unix(100, 0)
	c := NewClock(func() time.Time { return now })
	a := c.Now()
	b := c.Now()
	if b.Compare(a) <= 0 {
		t.Fatalf("%v then %v", a, b)
	}
	now = now.Add(-time.Hour) // the physical clock steps back
	if s := c.Now(); s.Compare(b) <= 0 {
		t.Fatalf("stepped back: %v after %v", s, b)
	}
	remote := Stamp{Wall: time.Unix(500, 0).UnixNano(), Logical: 7}
	u := c.Update(remote)
	if u.Compare(remote) <= 0 {
		t.Fatalf("update %v not after remote %v", u, remote)
	}
	if s := c.Now(); s.Compare(u) <= 0 {
		t.Fatalf("now %v not after update %v", s, u)
	}
	now = time.Unix(1000, 0)
	if s := c.Now(); s != (Stamp{Wall: now.UnixNano()}) {
		t.Fatalf("physical time ahead again: %v", s)
	}
}

func TestParseTarget(t *testing.T) {
	cases := []struct {
		typ, in, want string
		ok            bool
	}{
		{"addr", "203.0.113.7", "203.0.113.7", true},
		{"addr", "::ffff:203.0.113.7", "203.0.113.7", true},
		{"addr", "203.0.113.0/24", "", false},
		{"prefix", "2001:db8:1:2::5/64", "2001:db8:1:2::/64", true},
		{"cidr", "198.51.100.9/24", "198.51.100.0/24", true},
		{"cidr", "::ffff:10.0.0.0/104", "10.0.0.0/8", true},
		{"cidr", "nonsense", "", false},
		{"key", "apikey:abc", "apikey:abc", true},
		{"key", "bad\nkey", "", false},
		{"pseudonym", "0a1b2c", "0a1b2c", true},
		{"pseudonym", "0A1B", "", false},
		{"user", "x", "", false},
		{"addr", "", "", false},
	}
	for _, c := range cases {
		got, err := ParseTarget(c.typ, c.in)
		if (err == nil) != c.ok || (c.ok && got.Value != c.want) {
			t.Errorf("%s %q: %v %v", c.typ, c.in, got, err)
		}
		if err != nil && !errors.Is(err, ErrInvalid) {
			t.Errorf("%s %q: error %v does not wrap ErrInvalid", c.typ, c.in, err)
		}
	}
}

func TestValueRoundTrip(t *testing.T) {
	c := NewClock(nil)
	v := Value{Target: MustTarget("prefix", "2001:db8::/64"), Action: Throttle, Factor: 0.25, Reason: "scraping",
		Origin: "eu", Stamp: c.Now(), Expires: time.Now().Add(time.Hour).UTC().Truncate(time.Second)}
	b, err := v.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	got, err := Unmarshal(b)
	if err != nil {
		t.Fatal(err)
	}
	if *got != v {
		t.Fatalf("got %+v want %+v", got, v)
	}
	list, tg, err := ParseKey(v.Key())
	if err != nil || list != "deny" || tg != v.Target {
		t.Fatalf("key %q: %v %v %v", v.Key(), list, tg, err)
	}
}

func TestValidate(t *testing.T) {
	base := func() Value {
		return Value{Target: MustTarget("addr", "192.0.2.1"), Action: Ban, Origin: "r", Stamp: Stamp{Wall: 1}, Expires: time.Unix(10, 0)}
	}
	bad := map[string]func(*Value){
		"no expiry":       func(v *Value) { v.Expires = time.Time{} },
		"unknown action":  func(v *Value) { v.Action = "nuke" },
		"throttle factor": func(v *Value) { v.Action = Throttle; v.Factor = 1.5 },
		"no stamp":        func(v *Value) { v.Stamp = Stamp{} },
		"no origin":       func(v *Value) { v.Origin = "" },
		"bad target":      func(v *Value) { v.Target.Value = "x" },
	}
	for name, f := range bad {
		v := base()
		f(&v)
		if err := v.Validate(); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
	v := base()
	v.Action, v.Expires = Allow, time.Time{}
	if err := v.Validate(); err != nil {
		t.Errorf("allow without expiry: %v", err)
	}
	if _, err := Unmarshal([]byte(`{"target":{"type":"addr","value":"192.0.2.1"},"action":"ban","origin":"r","stamp":{"wall":1},"expires":"2030-01-01T00:00:00Z","extra":1}`)); err == nil {
		t.Error("unknown field accepted")
	}
}

func TestNewerAndActive(t *testing.T) {
	a := Value{Origin: "eu", Stamp: Stamp{Wall: 5}}
	b := Value{Origin: "us", Stamp: Stamp{Wall: 5}}
	c := Value{Origin: "aa", Stamp: Stamp{Wall: 5, Logical: 1}}
	if !b.Newer(&a) || a.Newer(&b) || !c.Newer(&b) {
		t.Fatal("order")
	}
	now := time.Unix(100, 0)
	v := Value{Expires: now.Add(time.Second)}
	if !v.Active(now) || v.Active(now.Add(time.Second)) {
		t.Fatal("expiry")
	}
	v.Tombstone = true
	if v.Active(now) {
		t.Fatal("tombstone active")
	}
}

func FuzzUnmarshal(f *testing.F) {
	f.Add([]byte(`{"target":{"type":"cidr","value":"10.0.0.0/8"},"action":"allow","origin":"r","stamp":{"wall":1}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := Unmarshal(b)
		if err != nil {
			return
		}
		out, err := v.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Unmarshal(out); err != nil {
			t.Fatalf("re-decode %s: %v", out, err)
		}
	})
}

func TestRouteThrottleValue(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	stamp := Stamp{Wall: now.UnixNano()}
	route := MustTarget("route", "/login")
	v := Value{Target: route, Action: Throttle, Factor: 0.5, Origin: "eu", Stamp: stamp, Starts: now.Add(time.Hour), Expires: now.Add(2 * time.Hour)}
	if err := v.Validate(); err != nil {
		t.Fatal(err)
	}
	if v.Active(now) || !v.Pending(now) || !v.Active(now.Add(time.Hour)) || v.Active(now.Add(2*time.Hour)) || v.Pending(now.Add(2*time.Hour)) {
		t.Error("a throttle from +1h to +2h: wrong Active or Pending")
	}
	b, _ := v.Marshal()
	if got, err := Unmarshal(b); err != nil || !got.Starts.Equal(v.Starts) {
		t.Errorf("round trip: %+v %v", got, err)
	}
	for name, bad := range map[string]Value{
		"a route ban":       {Target: route, Action: Ban, Origin: "eu", Stamp: stamp, Expires: now.Add(time.Hour)},
		"a route allow":     {Target: route, Action: Allow, Origin: "eu", Stamp: stamp},
		"starts after ends": {Target: route, Action: Throttle, Factor: 0.5, Origin: "eu", Stamp: stamp, Starts: now.Add(time.Hour), Expires: now},
	} {
		if err := bad.Validate(); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
	if _, err := ParseTarget("route", "/a\nb"); !errors.Is(err, ErrInvalid) {
		t.Errorf("a route with a newline: %v", err)
	}
}

func TestSuppressionValue(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	tg, err := SuppressionTarget(Suppression{Rule: "sqli", Route: "/notes", Param: "text"})
	if err != nil || tg.Value != "sqli /notes text" {
		t.Fatalf("target %+v %v", tg, err)
	}
	v := Value{Target: tg, Action: Suppress, Origin: "eu", Stamp: Stamp{Wall: now.UnixNano()}, Expires: now.Add(time.Hour)}
	if err := v.Validate(); err != nil {
		t.Fatal(err)
	}
	b, _ := v.Marshal()
	got, err := Unmarshal(b)
	if err != nil {
		t.Fatal(err)
	}
	if sc, ok := got.Target.Suppression(); !ok || sc != (Suppression{"sqli", "/notes", "text"}) {
		t.Errorf("scope %+v %v", sc, ok)
	}
	if list, pt, err := ParseKey(v.Key()); err != nil || list != "deny" || pt != tg {
		t.Errorf("key %s: %v %v %v", v.Key(), list, pt, err)
	}
	for _, bad := range []string{"sqli", "sqli  /notes", "sqli /notes a b", " /notes", "sqli /no\ntes"} {
		if _, err := ParseTarget("suppression", bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("suppression %q: %v", bad, err)
		}
	}
	for name, bad := range map[string]Value{
		"suppress a client": {Target: MustTarget("addr", "192.0.2.1"), Action: Suppress, Origin: "eu", Stamp: v.Stamp, Expires: v.Expires},
		"ban a suppression": {Target: tg, Action: Ban, Origin: "eu", Stamp: v.Stamp, Expires: v.Expires},
		"no expiry":         {Target: tg, Action: Suppress, Origin: "eu", Stamp: v.Stamp},
	} {
		if err := bad.Validate(); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
