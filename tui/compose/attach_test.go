package compose

import (
	"strings"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/tui/common/commontest"
)

func testBox(t *testing.T) *Model {
	t.Helper()
	now := time.Date(2026, 3, 4, 15, 30, 0, 0, time.UTC)
	m := New(commontest.New(now, time.UTC), nil)
	m.SetSize(100, 5)
	m.Load(store.Conversation{ConvKey: store.ConvKey{PageID: "p", PSID: "u"}, LastInboundTime: now.Add(-time.Minute)})
	return m
}

// The footer shows the upload's news as it comes: name, percent, MB.
// News of a run that is over (or another's) changes nothing.
func TestUploadProgressInTheFooter(t *testing.T) {
	m := testBox(t)
	run := &sendRun{progress: make(chan uploadMsg, 1), done: make(chan SentMsg, 1)}
	m.att.run = run
	if cmd := m.Update(uploadMsg{run: run, name: "invoice.pdf", sent: 1258292, size: 3145728}); cmd == nil {
		t.Fatal("progress did not wait for the run's next news")
	}
	if v := m.View(); !strings.Contains(v, "uploading invoice.pdf 40% (1.2/3.0 MB)") {
		t.Errorf("footer:\n%s", v)
	}
	stale := &sendRun{}
	if cmd := m.Update(uploadMsg{run: stale, name: "other.pdf", sent: 1, size: 2}); cmd != nil || strings.Contains(m.View(), "other.pdf") {
		t.Error("a stale run's progress was shown or waited on")
	}
	m.Update(SentMsg{Key: m.key, run: run, Files: 1})
	if m.att.run != nil || strings.Contains(m.View(), "uploading") {
		t.Errorf("after the run ended the footer still says uploading:\n%s", m.View())
	}
}

// Progress nobody has read yet is replaced: the channel holds the newest
// only, so a slow screen never queues a message per chunk.
func TestUploadProgressIsCoalesced(t *testing.T) {
	run := &sendRun{progress: make(chan uploadMsg, 1), done: make(chan SentMsg, 1)}
	for i := int64(1); i <= 100; i++ {
		run.post(uploadMsg{run: run, name: "a.bin", sent: i, size: 100})
	}
	if n := len(run.progress); n != 1 {
		t.Fatalf("%d messages queued, want 1", n)
	}
	if p := (<-run.progress); p.sent != 100 {
		t.Errorf("queued progress at %d, want the newest (100)", p.sent)
	}
}

// Once every byte has gone, the footer says the wait is Messenger's.
func TestUploadFooterAtTheEndWaitsForMessenger(t *testing.T) {
	m := testBox(t)
	run := &sendRun{progress: make(chan uploadMsg, 1), done: make(chan SentMsg, 1)}
	m.att.run = run
	m.Update(uploadMsg{run: run, name: "invoice.pdf", sent: 3 << 20, size: 3 << 20})
	if v := m.View(); !strings.Contains(v, "uploading invoice.pdf: 3.0 MB sent, waiting for Messenger") {
		t.Errorf("footer:\n%s", v)
	}
}

// When the files have gone, the text that went with them leaves the box;
// text the agent typed while they uploaded stays.
func TestSentWithFilesKeepsWhatWasTypedMeanwhile(t *testing.T) {
	for _, tc := range []struct{ now, want string }{{"the chart", ""}, {"the chart, and more", "the chart, and more"}} {
		m := testBox(t)
		m.att.list = []attachment{{name: "chart.png", size: 10, kind: "image"}}
		run := &sendRun{text: "the chart"}
		m.att.run = run
		m.area.SetValue(tc.now)
		m.Update(SentMsg{Key: m.key, run: run, Files: 1})
		if m.Value() != tc.want || len(m.att.list) != 0 || m.att.run != nil {
			t.Errorf("box %q when sent: text %q, files %d, run %v; want %q, none, none", tc.now, m.Value(), len(m.att.list), m.att.run, tc.want)
		}
	}
}
