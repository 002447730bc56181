package daemon_test

import (
	"bytes"
	"context"
	"io"
	"runtime"
	"testing"

	"github.com/pageinbox/pageinbox/inbox"
)

// zeros is an endless file of zeros: the benchmark holds no 20 MB buffer.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// BenchmarkUploadOverTheWire20MB: a 20 MB file from an attached client to
// Meta through the daemon (chunks over /ws, a temp file, the multipart
// upload), each time new bytes so nothing is reused. heap-MB is the live
// heap's growth across the run: it stays far under the file's size.
func BenchmarkUploadOverTheWire20MB(b *testing.B) {
	r := newUploadRig(b)
	const size = 20 << 20
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var peak uint64
	b.SetBytes(size)
	b.ResetTimer()
	for i := range b.N {
		req := inbox.UploadRequest{PageID: pageID, Name: "big.png", Size: size}
		file := io.MultiReader(bytes.NewReader(pngBytes(64)), bytes.NewReader([]byte{byte(i)}), // other bytes each time
			io.LimitReader(zeros{}, size-65))
		if _, err := r.client.Upload(context.Background(), req, file, nil); err != nil {
			b.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		peak = max(peak, after.HeapInuse)
	}
	b.StopTimer()
	b.ReportMetric(float64(int64(peak)-int64(before.HeapInuse))/(1<<20), "heap-MB")
}
