package daemon_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"runtime/pprof"
	"syscall"
	"time"

	"google.golang.org/protobuf/encoding/protowire"
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

// cpuByLabel sums the CPU nanoseconds (the last sample value) of a
// gzipped pprof profile by the value of one label.
func cpuByLabel(gz []byte, key string) (map[string]time.Duration, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, err
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, err
	}
	type sample struct {
		ns    int64
		label map[int64]int64 // key string index -> value string index
	}
	var samples []sample
	var strs []string
	err = eachField(raw, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
		switch {
		case num == 2 && typ == protowire.BytesType:
			s := sample{label: map[int64]int64{}}
			err := eachField(v, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error {
				switch {
				case num == 2 && typ == protowire.BytesType: // packed values
					for len(v) > 0 {
						n, l := protowire.ConsumeVarint(v)
						if l < 0 {
							return protowire.ParseError(l)
						}
						s.ns, v = int64(n), v[l:]
					}
				case num == 2 && typ == protowire.VarintType:
					s.ns = int64(x)
				case num == 3 && typ == protowire.BytesType:
					var k, str int64
					if err := eachField(v, func(num protowire.Number, _ protowire.Type, _ []byte, x uint64) error {
						switch num {
						case 1:
							k = int64(x)
						case 2:
							str = int64(x)
						}
						return nil
					}); err != nil {
						return err
					}
					s.label[k] = str
				}
				return nil
			})
			samples = append(samples, s)
			return err
		case num == 6 && typ == protowire.BytesType:
			strs = append(strs, string(v))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := map[string]time.Duration{}
	for _, s := range samples {
		role := ""
		for k, v := range s.label {
			if int(k) < len(strs) && strs[k] == key && int(v) < len(strs) {
				role = strs[v]
			}
		}
		out[role] += time.Duration(s.ns)
	}
	return out, nil
}

// eachField walks one protobuf message: varints come as x, the rest as v.
func eachField(b []byte, f func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return protowire.ParseError(n)
		}
		b = b[n:]
		var v []byte
		var x uint64
		switch typ {
		case protowire.VarintType:
			x, n = protowire.ConsumeVarint(b)
		case protowire.BytesType:
			v, n = protowire.ConsumeBytes(b)
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
		}
		if n < 0 {
			return protowire.ParseError(n)
		}
		b = b[n:]
		if err := f(num, typ, v, x); err != nil {
			return err
		}
	}
	return nil
}
