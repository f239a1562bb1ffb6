package bus

import "time"

// SetHealthEvery changes w's spacing of routine writes (tests).
func SetHealthEvery(w *HealthWriter, d time.Duration) { w.every = d }
