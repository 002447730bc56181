package tui

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/inbox"
	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/store/storetest"
)

// chipsBackend is the 100k store with every listed conversation assigned
// and carrying three labels, as the store would return them: what a row
// with chips costs to draw, against BenchmarkFirstFrame100k/open.
//
//	go test ./tui -run '^$' -bench 'FirstFrame' -benchmem -count 5
type chipsBackend struct {
	inbox.Backend
}

var benchLabels = []store.Label{{Name: "returns", Color: "#e5484d"}, {Name: "vip", Color: "#8e4ec6"},
	{Name: "wholesale", Color: "#46a758"}}

func (b chipsBackend) Conversations(ctx context.Context, q store.ListQuery) (store.ConversationPage, error) {
	page, err := b.Backend.Conversations(ctx, q)
	for i := range page.Conversations {
		c := &page.Conversations[i]
		c.Assignee, c.Labels = "ana", store.Labels("wholesale", "returns", "vip")
	}
	return page, err
}

func (b chipsBackend) Labels(ctx context.Context, pageID string) ([]store.Label, error) {
	return benchLabels, ctx.Err()
}

func BenchmarkFirstFrame100kChips(b *testing.B) {
	path := storetest.Large.Path(b)
	st, err := store.Open(path, store.Options{Now: storetest.Clock, Timeout: 30 * time.Second, Owner: "tui benchmark"})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	b.Run("open", func(b *testing.B) {
		var m *Model
		var view string
		b.ReportAllocs()
		for b.Loop() {
			if m != nil {
				m.cancel()
			}
			if m, view, err = firstFrame(chipsBackend{&inbox.Local{Store: st}}, 120, 40); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		checkFirstFrame(b, m, view)
		if !strings.Contains(view, "@ana") || !strings.Contains(view, "#returns") {
			b.Fatalf("the first frame has no chips:\n%s", view)
		}
		m.cancel()
	})
}
