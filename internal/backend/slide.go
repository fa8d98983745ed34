package backend

// Slide is the arithmetic of storage.SlidingWindow, shared by the backends (the
// Redis backend runs the same steps in Lua). prev and cur are the counts of
// the previous and the current window, elapsed the time since the current
// window started and window its length, both in the same unit (the
// backends use milliseconds), limit the client's limit (0 or less: none).
//
// The estimate of the last window's requests, this one included, is
// prev×(window−elapsed)/window + cur + 1; n is that estimate rounded up,
// and the request is over when the estimate exceeds limit. wait is how long
// from now until the current window ends when the request is not over, and
// until one more request would be admitted when it is (later in this
// window as prev's weight falls, or in the next one, where cur becomes
// prev). The arithmetic is exact in integers: prev×window stays below
// 2^53 for any count below 10^8 and window up to a day in milliseconds.
func Slide(prev, cur, elapsed, window, limit int64) (n, wait int64, over bool) {
	if window <= 0 {
		window = 1
	}
	elapsed = min(max(elapsed, 0), window)
	x := prev*(window-elapsed) + (cur+1)*window
	n = (x + window - 1) / window
	if limit <= 0 || x <= limit*window {
		return n, window - elapsed, false
	}
	if cur < limit && prev > 0 {
		// later in this window: prev×(window−t) ≤ (limit−cur−1)×window
		return n, window - (limit-cur-1)*window/prev - elapsed, true
	}
	// in the next window, whose previous count is cur
	return n, window - elapsed + window - (limit-1)*window/cur, true
}
