package fbtest

import (
	"math/rand/v2"
	"net/http"
	"time"
)

// AcceptFault is how an answer goes wrong after Meta has accepted a send:
// the customer gets the message (and the Page its echo, with the send's
// metadata), but the caller never learns its mid. The Send API has no
// idempotency key, so a caller that retries such a send messages twice.
type AcceptFault int

const (
	// NoAcceptFault answers normally.
	NoAcceptFault AcceptFault = iota
	// Edge502 answers 502 Bad Gateway with an HTML body, as an edge proxy
	// does when Meta's backend answered it too late.
	Edge502
	// CutAfterAccept closes the connection without an answer.
	CutAfterAccept
	// StallAfterAccept sends no answer until the caller gives up (its
	// timeout) or the server closes.
	StallAfterAccept
)

func (f AcceptFault) String() string {
	switch f {
	case Edge502:
		return "edge 502"
	case CutAfterAccept:
		return "connection cut"
	case StallAfterAccept:
		return "stalled"
	}
	return "none"
}

// edge502Body is what an edge proxy answers: no Meta error envelope.
const edge502Body = "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>\n"

// FaultAfterAccept makes the next n accepted Send API messages (not
// sender actions) end in fault f after they were accepted and delivered.
func (s *Server) FaultAfterAccept(n int, f AcceptFault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.acceptNext = append(s.acceptNext, f)
	}
}

// SetAcceptFaultRate makes a fraction p of accepted messages end in fault
// f. The draws come from Config.Seed on a stream of their own, so the same
// sequence of sends meets the same faults every run.
func (s *Server) SetAcceptFaultRate(p float64, f AcceptFault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.acceptRate, s.acceptFault = p, f
	if s.acceptRNG == nil {
		s.acceptRNG = rand.New(rand.NewPCG(uint64(s.cfg.Seed), 0x616363657074))
	}
}

// RefuseAtEdge makes the next n Send API calls answer 502 with an HTML
// body before Meta sees them: nothing is delivered and nothing echoed. To
// the caller it looks exactly like Edge502.
func (s *Server) RefuseAtEdge(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.edgeRefusals += n
}

// AcceptFaults counts the accepted messages answered with a fault.
func (s *Server) AcceptFaults() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.acceptFaults
}

// takeEdgeRefusal reports whether this call is refused at the edge.
func (s *Server) takeEdgeRefusal() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.edgeRefusals == 0 {
		return false
	}
	s.edgeRefusals--
	return true
}

// acceptFaultLocked draws the fault for one accepted message.
func (s *Server) acceptFaultLocked() AcceptFault {
	f := NoAcceptFault
	switch {
	case len(s.acceptNext) > 0:
		f, s.acceptNext = s.acceptNext[0], s.acceptNext[1:]
	case s.acceptRate > 0 && s.acceptRNG.Float64() < s.acceptRate:
		f = s.acceptFault
	}
	if f != NoAcceptFault {
		s.acceptFaults++
	}
	return f
}

func writeEdge502(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(http.StatusBadGateway)
	w.Write([]byte(edge502Body))
}

// answerFault ends an accepted send's request the way f says.
func (s *Server) answerFault(w http.ResponseWriter, r *http.Request, f AcceptFault) {
	switch f {
	case Edge502:
		writeEdge502(w)
	case CutAfterAccept:
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			panic(http.ErrAbortHandler) // HTTP/2: abort the stream instead
		}
		conn.Close()
	case StallAfterAccept:
		t := time.NewTimer(time.Hour)
		defer t.Stop()
		select {
		case <-r.Context().Done():
		case <-s.closed:
		case <-t.C:
		}
		writeEdge502(w) // whoever is still there gets a 502
	}
}
