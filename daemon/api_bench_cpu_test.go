package daemon_test

import (
	"bytes"
	"context"
	"fmt"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/google/pprof/profile"
)

// The client's share of the CPU in BenchmarkAttachedClients: the clients
// are dialled under a pprof label (their goroutines inherit it), a CPU
// profile runs while the events go out, and its samples are summed by
// label. What the profile cannot pin on a goroutine (the GC's background
// workers) is nobody's; process CPU (getrusage) is reported beside it.

const cpuRoleLabel = "bench-role"

// asRole runs f with the role label; goroutines started in f keep it.
func asRole(role string, f func()) {
	pprof.Do(context.Background(), pprof.Labels(cpuRoleLabel, role), func(context.Context) { f() })
}

// cpuSplit is a running CPU profile; stop returns CPU time by role ("" for
// unlabelled samples).
type cpuSplit struct {
	buf bytes.Buffer
	on  bool
}

func startCPUSplit() *cpuSplit {
	s := &cpuSplit{}
	s.on = pprof.StartCPUProfile(&s.buf) == nil // -cpuprofile given: no split
	return s
}

func (s *cpuSplit) stop() (map[string]time.Duration, error) {
	if !s.on {
		return nil, fmt.Errorf("a CPU profile was already running")
	}
	pprof.StopCPUProfile()
	return cpuByLabel(s.buf.Bytes(), cpuRoleLabel)
}

// processCPU is user+system CPU of the whole process so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// cpuByLabel sums the CPU nanoseconds (the last sample value) of a pprof
// profile by the value of one label.
func cpuByLabel(data []byte, key string) (map[string]time.Duration, error) {
	p, err := profile.ParseData(data)
	if err != nil {
		return nil, err
	}
	out := map[string]time.Duration{}
	for _, s := range p.Sample {
		if len(s.Value) == 0 {
			continue
		}
		role := ""
		if v := s.Label[key]; len(v) > 0 {
			role = v[0]
		}
		out[role] += time.Duration(s.Value[len(s.Value)-1])
	}
	return out, nil
}
