package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/store/storetest"
)

// BenchmarkConversationCampaigns is the contact pane's campaign lookup on
// a Page whose 20 campaigns went to 5,000 customers each (100k items),
// one customer among them in every campaign: the walk over every item
// with a byte search, decoding only theirs.
func BenchmarkConversationCampaigns(b *testing.B) {
	s := benchOpenEmpty(b, store.Options{NoSync: true})
	defer s.Close()
	ctx := context.Background()
	target := store.ConvKey{PageID: storetest.PageID, PSID: storetest.PSID(4999)}
	for c := range 20 {
		rs := make([]store.Recipient, 5000)
		for i := range rs {
			rs[i] = store.Recipient{ConvKey: store.ConvKey{PageID: storetest.PageID, PSID: storetest.PSID(i)},
				SkipReason: "outside the 24 h window"}
		}
		if _, err := s.CreateCampaign(ctx, store.Campaign{PageID: storetest.PageID, Title: fmt.Sprint("campaign ", c), Text: "news"}, rs); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		got, err := s.ConversationCampaigns(ctx, target)
		if err != nil || len(got) != 20 {
			b.Fatalf("got %d campaigns, %v; want 20", len(got), err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms/lookup")
}
