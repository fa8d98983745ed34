package event

import (
	"errors"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/bulwarkhq/bulwark"
	"github.com/bulwarkhq/bulwark/threat"
)

func sample() *Batch {
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 123456789, time.UTC)
	return &Batch{Tenant: "default", Region: "eu-west", Instance: "api-1", KeyID: "k1", Events: []Event{
		{ID: MakeID(t0, 7, 1), Time: t0, Pseudonym: "3f2a9c0d1e2b3c4d5e6f7a8b", Route: "/api/items/{id}", Method: "GET",
			Outcome: OutcomeAllowed, Score: 0.01, Level: "none", Limiter: "allow"},
		{ID: MakeID(t0, 7, 2), Time: t0.Add(time.Millisecond), Pseudonym: "aa", Route: "/search", Method: "GET",
			Outcome: OutcomeBlocked, Score: 0.99, Level: "critical", Reasons: [MaxReasons]string{"sqli.libinjection", "sqli.tautology"},
			Family: "sqli", Limiter: "", Features: []float32{1, 0.5, 0, 0, 0, 1, 0.2, 1, 1, 0, 0, 0},
			Model: "retrain-20261201", Shadow: "retrain-20261202", ShadowScore: 0.5, ShadowRefused: true, Blocked: true, Param: "q"},
	}}
}

// format1 is b's encoding in format 1, which knows no model fields.
func format1(b *Batch) []byte {
	dst := append([]byte{}, version1[:]...)
	for _, s := range []string{b.Tenant, b.Region, b.Instance, b.KeyID} {
		dst = appendStr(dst, s)
	}
	dst = append(dst, byte(len(b.Events)))
	for i := range b.Events {
		e := b.Events[i]
		e.Model, e.Shadow, e.ShadowScore, e.ShadowRefused, e.Blocked, e.Param = "", "", 0, false, false, ""
		enc := AppendEvent(nil, &e)
		dst = append(dst, enc[:len(enc)-8]...) // two empty strings, the flags, the score, an empty Param
	}
	return dst
}

func TestFormat1Decodes(t *testing.T) {
	b := sample()
	got, err := DecodeBatch(format1(b))
	if err != nil {
		t.Fatal(err)
	}
	e := got.Events[1]
	if e.Route != "/search" || e.Model != "" || e.Shadow != "" || !e.Blocked || got.Events[0].Blocked {
		t.Fatalf("format 1 event: %+v", e)
	}
	// a stored row of format 1 (an event without the model fields) decodes
	one := AppendEvent(nil, &b.Events[1])
	param := 1 + len(b.Events[1].Param)
	var back Event
	if rest, err := DecodeEvent(one[:len(one)-param-(len(b.Events[1].Model)+len(b.Events[1].Shadow)+2+5)], &back); err != nil || len(rest) != 0 || back.Model != "" || !back.Blocked {
		t.Fatalf("format 1 row: %+v %v", back, err)
	}
	// a row stored before Param: the model fields, no parameter
	back = Event{}
	if rest, err := DecodeEvent(one[:len(one)-param], &back); err != nil || len(rest) != 0 || back.Model != "retrain-20261201" || back.Param != "" {
		t.Fatalf("format 2 row without Param: %+v %v", back, err)
	}
	if rest, err := DecodeEvent(one, &back); err != nil || len(rest) != 0 || back.Model != "retrain-20261201" || !back.ShadowRefused || back.Param != "q" {
		t.Fatalf("format 2 row: %+v %v", back, err)
	}
}

func TestBatchRoundTrip(t *testing.T) {
	b := sample()
	b.Events[0].Client = "203.0.113.7" // must not travel
	got, err := DecodeBatch(b.Append(nil))
	if err != nil {
		t.Fatal(err)
	}
	b.Events[0].Client = ""
	for i := range b.Events {
		b.Events[i].Score = float64(float32(b.Events[i].Score))
		b.Events[i].ShadowScore = float64(float32(b.Events[i].ShadowScore))
	}
	if !reflect.DeepEqual(got, b) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, b)
	}
}

func TestDecodeBatchRefuses(t *testing.T) {
	good := sample().Append(nil)
	huge := sample()
	huge.Events[1].Reasons[0] = string(make([]byte, MaxString+10))
	cases := map[string][]byte{
		"empty":     nil,
		"magic":     []byte("XXXX"),
		"version":   append([]byte("BWE\x03"), good[4:]...),
		"truncated": good[:len(good)-3],
		"trailing":  append(append([]byte{}, good...), 0),
		"count":     append(append([]byte{}, good[:4]...), 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f),
	}
	for name, in := range cases {
		if _, err := DecodeBatch(in); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: err %v, want ErrMalformed", name, err)
		}
	}
	// An over-long string is cut on encoding, so it decodes.
	if got, err := DecodeBatch(huge.Append(nil)); err != nil || len(got.Events[1].Reasons[0]) != MaxString {
		t.Errorf("long reason: %v", err)
	}
	bad := sample()
	bad.Events[0].Score = math.NaN()
	if _, err := DecodeBatch(bad.Append(nil)); !errors.Is(err, ErrMalformed) {
		t.Errorf("NaN score: %v", err)
	}
}

func TestIDText(t *testing.T) {
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	id := MakeID(at, 0xdeadbeef, 42)
	s := id.String()
	if len(s) != 26 {
		t.Fatalf("len %d", len(s))
	}
	back, err := ParseID(s)
	if err != nil || back != id {
		t.Fatalf("parse %q: %v %v", s, back, err)
	}
	if lower, err := ParseID(toLower(s)); err != nil || lower != id {
		t.Fatalf("lower case: %v", err)
	}
	if !id.Time().Equal(at) {
		t.Fatalf("time %v", id.Time())
	}
	if MakeID(at, 1, 2).String() >= MakeID(at.Add(time.Millisecond), 0, 0).String() {
		t.Fatal("ids do not sort by time")
	}
	for _, bad := range []string{"", "8ZZZZZZZZZZZZZZZZZZZZZZZZZ", "01ARZ3NDEKTSV4RRFFQ69G5FAU", "01ARZ3NDEKTSV4RRFFQ69G5FA"} {
		if _, err := ParseID(bad); !errors.Is(err, ErrBadID) {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func toLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}

func TestReport(t *testing.T) {
	r := &Report{Instance: "a", Boot: "b", Seq: 1, Counts: []Count{{Minute: 60, Route: "/", Outcome: "allowed", Level: "none", N: 3}}}
	b, err := EncodeReport(r)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeReport(b)
	if err != nil || got.ID() != "a/b/1" || got.Counts[0].N != 3 {
		t.Fatalf("%+v %v", got, err)
	}
	for _, in := range []string{`{}`, `{"instance":"a","boot":"b"}`, `[`} {
		if _, err := DecodeReport([]byte(in)); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: %v", in, err)
		}
	}
}

func FuzzDecodeBatch(f *testing.F) {
	f.Add(sample().Append(nil))
	f.Add([]byte("BWE\x01"))
	f.Add(format1(sample()))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, in []byte) {
		b, err := DecodeBatch(in)
		if err != nil {
			return
		}
		// What decodes re-encodes to something that decodes the same.
		again, err := DecodeBatch(b.Append(nil))
		if err != nil {
			t.Fatalf("re-decode: %v", err)
		}
		if len(again.Events) != len(b.Events) {
			t.Fatalf("events %d then %d", len(b.Events), len(again.Events))
		}
	})
}

func FuzzParseID(f *testing.F) {
	f.Add("01ARZ3NDEKTSV4RRFFQ69G5FAV")
	f.Fuzz(func(t *testing.T, s string) {
		id, err := ParseID(s)
		if err != nil {
			return
		}
		if back, err := ParseID(id.String()); err != nil || back != id {
			t.Fatalf("%q -> %v -> %q", s, id, id.String())
		}
	})
}

func TestFromVerdictModels(t *testing.T) {
	v := &bulwark.Verdict{Outcome: bulwark.Blocked, Shadow: true, ChallengerBlocked: false, Client: "c", Route: "/x", Method: "GET",
		Assessment: threat.Assessment{Score: 0.9, Level: threat.LevelHigh, Model: "v2", Challenger: 0.1, ChallengerModel: "v3"}}
	e := FromVerdict(v, "")
	if e.Outcome != OutcomeShadowRefused || !e.Blocked || e.Model != "v2" || e.Shadow != "v3" || e.ShadowScore != 0.1 || e.ShadowRefused {
		t.Fatalf("shadow-mode block: %+v", e)
	}
	if e.Param != "" {
		t.Errorf("no signal, Param %q", e.Param)
	}
	v.Assessment.Signals = []threat.Signal{{Rule: "sqli.union", Detector: "sqli", Location: "json:user.name (base64)"}, {Rule: "xss.tag", Location: "query:q"}}
	if e := FromVerdict(v, ""); e.Param != "user.name" || e.Family != "sqli" {
		t.Errorf("top reason in json:user.name (base64): Param %q, Family %q", e.Param, e.Family)
	}
	v.Assessment.Signals = []threat.Signal{{Rule: "traversal.dotdot_path", Detector: "traversal", Location: "path"}}
	if e := FromVerdict(v, ""); e.Param != "" {
		t.Errorf("top reason in the path: Param %q", e.Param)
	}
	v = &bulwark.Verdict{Outcome: bulwark.Limited, Assessment: threat.Assessment{Model: "v2", Challenger: -1}}
	if e := FromVerdict(v, "/x"); e.Blocked || e.Shadow != "" || e.ShadowScore != 0 || e.Model != "v2" {
		t.Fatalf("a limiter's refusal, no challenger: %+v", e)
	}
}

func FuzzDecodeReport(f *testing.F) {
	f.Add([]byte(`{"instance":"api-1","boot":"b","seq":1,"penalties":[{"pseudonym":"3f2a","until":"2026-12-02T10:00:00Z"}],"models_refused":2}`))
	f.Add([]byte(`{"instance":"api-1","boot":"b","seq":1,"counts":[{"minute":60,"route":"/a","outcome":"allowed","level":"none","n":3}]}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		r, err := DecodeReport(in)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
			return
		}
		if len(r.Penalties) > MaxPenalties || r.Instance == "" || r.Seq == 0 {
			t.Fatalf("decoded a report out of bounds: %d penalties, instance %q, seq %d", len(r.Penalties), r.Instance, r.Seq)
		}
		// What decodes re-encodes to something that decodes the same.
		b, err := EncodeReport(r)
		if err != nil {
			t.Fatal(err)
		}
		again, err := DecodeReport(b)
		if err != nil || len(again.Penalties) != len(r.Penalties) || len(again.Counts) != len(r.Counts) || again.ModelsRefused != r.ModelsRefused {
			t.Fatalf("re-decode: %v", err)
		}
	})
}
