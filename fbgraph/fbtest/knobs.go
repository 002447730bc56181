package fbtest

import (
	"math"
	"time"
)

type failSpec struct{ code, subcode, status int }

// SetLatency makes every Graph call wait d before it is answered.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

// SetErrorRate answers a fraction p of Send API calls with HTTP 500, code
// 2, is_transient true. The draws come from Config.Seed, so the same
// sequence of calls fails the same way every run.
func (s *Server) SetErrorRate(p float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.errRate = p
}

// SetRateLimit limits Send API calls to perSecond with bursts of burst
// (a token bucket on real time); beyond it calls get HTTP 400, code 613.
// perSecond <= 0 removes the limit; burst <= 0 means max(1, perSecond).
func (s *Server) SetRateLimit(perSecond float64, burst int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if perSecond <= 0 {
		s.bucket = nil
		return
	}
	b := float64(burst)
	if burst <= 0 {
		b = math.Max(1, math.Ceil(perSecond))
	}
	s.bucket = &bucket{rate: perSecond, burst: b, tokens: b, last: time.Now()}
}

// ExpireToken makes every later call with the Page token fail with
// 190/463 "Error validating access token: Session has expired".
func (s *Server) ExpireToken() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expired = true
}

// SetToken replaces the accepted Page token (a reissued token), which is
// not expired.
func (s *Server) SetToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.token, s.expired = token, false
}

// SetUnavailable makes sends to psid fail with 551/1545041 "This person
// isn't available right now." (blocked the Page, deactivated, ...). The
// PSID is added if unknown.
func (s *Server) SetUnavailable(psid string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.userLocked(psid).unavailable = true
}

// FailNext makes the next n Send API calls (that pass authentication)
// fail with exactly this code, subcode and HTTP status, in Meta's
// envelope with Meta's message for the code.
func (s *Server) FailNext(n int, code, subcode, httpStatus int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.failNext = append(s.failNext, failSpec{code, subcode, httpStatus})
	}
}

type bucket struct {
	rate, burst, tokens float64
	last                time.Time
}

func (b *bucket) take(now time.Time) bool {
	b.tokens = math.Min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return true
	}
	return false
}
