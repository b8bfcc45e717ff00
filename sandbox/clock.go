package sandbox

import (
	"sync"
	"time"
)

// clock is the simulated time. Frozen, it reads base; live, it reads base
// plus the wall time elapsed since base was set.
type clock struct {
	mu       sync.Mutex
	base     time.Time
	wallBase time.Time
	live     bool
}

func newClock(start time.Time, live bool) *clock {
	return &clock{base: start.UTC(), wallBase: time.Now(), live: live}
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.nowLocked()
}

func (c *clock) nowLocked() time.Time {
	if !c.live {
		return c.base
	}
	return c.base.Add(time.Since(c.wallBase))
}

func (c *clock) advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.base, c.wallBase = c.nowLocked().Add(d), time.Now()
	return c.base
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.base, c.wallBase = t.UTC(), time.Now()
}

// Now is the simulated time.
func (s *Sandbox) Now() time.Time { return s.clock.now() }

// Advance moves the simulated clock forward by d and returns the new time.
// Acceptances that fall due are applied lazily, on the next look at an
// account.
func (s *Sandbox) Advance(d time.Duration) time.Time { return s.clock.advance(d) }

// SetNow sets the simulated clock. Moving it backwards undoes nothing:
// acceptances already applied stay applied.
func (s *Sandbox) SetNow(t time.Time) { s.clock.set(t) }
