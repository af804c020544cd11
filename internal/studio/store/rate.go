package store

import (
	"context"
	"fmt"
	"time"
)

// Hit counts one event against key in the current fixed window of length
// window and reports whether the event is within limit. Counters live in
// the database so every Studio node shares them; keys are free-form, e.g.
// "otp-send:email:a@b.gov.sg" or "otp-send:ip:203.0.113.9".
//
// The single INSERT ... ON CONFLICT DO UPDATE ... RETURNING statement is
// atomic on both SQLite and PostgreSQL, so under any concurrency exactly
// limit hits per window are allowed. Hits beyond the limit still count
// (harmless, and it shows the pressure). Windows are aligned to the Unix
// epoch, so a burst straddling a boundary may see up to 2*limit: the usual
// fixed-window trade-off.
func (o ops) Hit(ctx context.Context, key string, window time.Duration, limit int) (bool, error) {
	w := window.Milliseconds()
	if key == "" || w <= 0 || limit < 0 {
		return false, fmt.Errorf("store: rate hit: %w", ErrInvalid)
	}
	now := ms(o.now())
	start := now - now%w
	var hits int
	err := o.queryRow(ctx, `INSERT INTO rate_counters (bucket, window_start, expires_at, hits) VALUES (?, ?, ?, 1)
ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_counters.hits + 1
RETURNING hits`, key, start, start+w).Scan(&hits)
	if err != nil {
		return false, fmt.Errorf("store: rate hit %q: %w", key, err)
	}
	return hits <= limit, nil
}
