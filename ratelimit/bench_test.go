package ratelimit

import (
	"context"
	"strconv"
	"testing"

	"github.com/ulule/limiter/v3"
	limitermemory "github.com/ulule/limiter/v3/drivers/store/memory"

	"github.com/bulwarkhq/bulwark/internal/redistest"
	redisstore "github.com/bulwarkhq/bulwark/storage/redis"
)

// Same rate and same 1024 client keys for every benchmark; the rate is high
// enough that no request is limited, so each measures the counting path.
const benchRate = "1000000-M"

var benchKeys = func() []string {
	k := make([]string, 1024)
	for i := range k {
		k[i] = "10.0." + strconv.Itoa(i/256) + "." + strconv.Itoa(i%256)
	}
	return k
}()

// BenchmarkLimiterMemory is the baseline: ulule/limiter's own memory store
// through its Limiter.Get.
func BenchmarkLimiterMemory(b *testing.B) {
	rate, err := limiter.NewRateFromFormatted(benchRate)
	if err != nil {
		b.Fatal(err)
	}
	l := limiter.New(limitermemory.NewStore(), rate)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c, err := l.Get(ctx, benchKeys[i&1023])
		if err != nil || c.Reached {
			b.Fatal(err, c)
		}
	}
}

// BenchmarkAdaptiveMemory is Adaptive.Allow on its embedded memory store,
// benign score.
func BenchmarkAdaptiveMemory(b *testing.B) {
	a, err := New(withLocal(Config{Rate: benchRate}))
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	benchAdaptive(b, a)
}

// BenchmarkAdaptiveRedis is Adaptive.Allow on the real Redis at REDIS_URL.
func BenchmarkAdaptiveRedis(b *testing.B) {
	c, prefix := redistest.Client(b)
	s, err := redisstore.New(c, redisstore.Config{Prefix: prefix})
	if err != nil {
		b.Fatal(err)
	}
	a, err := New(withLocal(Config{Rate: benchRate, Store: s}))
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	benchAdaptive(b, a)
}

func benchAdaptive(b *testing.B, a *Adaptive) {
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, err := a.allowNow(ctx, benchKeys[i&1023], "api", 0.1)
		if err != nil || !r.Allowed {
			b.Fatal(err, r)
		}
	}
}
