package bulwark

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bulwarkhq/bulwark/alerting"
	"github.com/bulwarkhq/bulwark/internal/series"
	"github.com/bulwarkhq/bulwark/threat"
)

// selfWatch is Config.Anomalies: the Guard's own requests and refusals a
// minute, each scored by an online detector (internal/series, the one the
// control plane runs over the fleet's hours) as its minute closes, against
// the minutes before it. A minute closes when the first request of a
// later minute is checked: the watch has no goroutine, and a silence is
// seen (as the minutes of no traffic it fed) when traffic comes back.
type selfWatch struct {
	minute  atomic.Int64 // Unix minute being counted; 0 before the first request
	reqs    atomic.Int64
	refused atomic.Int64

	mu   sync.Mutex // held to close a minute
	dets [2]*series.Detector
	pub  Publisher
}

// selfGap bounds the empty minutes fed after a silence.
const selfGap = 60

var selfSeries = [2]string{"requests", "refusals"}

func newSelfWatch(pub Publisher) *selfWatch {
	w := &selfWatch{pub: pub}
	for i := range w.dets {
		w.dets[i], _ = series.New(series.Config{}) // the zero Config is valid
	}
	return w
}

// count counts one checked request of minute t.
func (w *selfWatch) count(t time.Time, refused bool) {
	if m := t.Unix() / 60; m > w.minute.Load() {
		w.close(m)
	}
	w.reqs.Add(1)
	if refused {
		w.refused.Add(1)
	}
}

// close closes the minutes before m and publishes their alarms, outside
// the lock. A request of the closing minute counted while it closes falls
// in the next.
func (w *selfWatch) close(m int64) {
	var alarms []alerting.Event
	w.mu.Lock()
	cur := w.minute.Load()
	if m <= cur {
		w.mu.Unlock()
		return
	}
	counts := [2]float64{float64(w.reqs.Swap(0)), float64(w.refused.Swap(0))}
	w.minute.Store(m)
	if cur != 0 {
		for k := cur; k < m && k < cur+selfGap; k++ {
			at := time.Unix(k*60, 0).UTC()
			for i, d := range w.dets {
				r := d.Observe(at, counts[i])
				if r.Alarm {
					alarms = append(alarms, alerting.Event{Kind: alerting.KindAnomaly, Level: threat.LevelMedium, Time: at,
						Reasons: []string{fmt.Sprintf("%s a minute: %s, %.0f where %.0f were expected", selfSeries[i], r.Kind, r.Value, r.Expected)}})
				}
			}
			counts = [2]float64{}
		}
	}
	w.mu.Unlock()
	for _, e := range alarms {
		w.pub.Publish(e)
	}
}
