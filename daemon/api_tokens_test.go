package daemon_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/pageinbox/pageinbox/daemon"
	"github.com/pageinbox/pageinbox/store"
)

// An attached client pages the list and a thread with the cursors the
// daemon hands out, and a cursor of one kind is refused as another.
func TestAPICursorsPageOverTheWire(t *testing.T) {
	st := openStore(t)
	d := startDaemon(t, st, nil)
	c := dial(t, d)
	ctx := context.Background()
	for i := 0; i < 5; i++ {
		postMessage(t, d, fmt.Sprintf("u%d", i), fmt.Sprintf("m%d", i))
		postMessage(t, d, "u0", fmt.Sprintf("again%d", i))
	}
	var convs []string
	var next store.Cursor
	for {
		p, err := c.Conversations(ctx, store.ListQuery{Filter: store.FilterAll, After: next, Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		for _, cv := range p.Conversations {
			convs = append(convs, cv.PSID)
		}
		if p.Next == "" {
			break
		}
		next = p.Next
	}
	if len(convs) != 5 {
		t.Errorf("paged %v over /ws, want 5 conversations", convs)
	}
	u0 := store.ConvKey{PageID: pageID, PSID: "u0"}
	whole, err := st.Thread(ctx, u0, "", 100)
	if err != nil || len(whole.Messages) != 6 {
		t.Fatalf("thread u0 in the store: %d messages %v", len(whole.Messages), err)
	}
	var ids []string
	var before, listCursor store.Cursor
	for {
		p, err := c.Thread(ctx, u0, before, 2)
		if err != nil {
			t.Fatal(err)
		}
		var page []string
		for _, m := range p.Messages {
			page = append(page, m.ID)
		}
		ids = append(page, ids...)
		if p.Before == "" {
			break
		}
		before = p.Before
	}
	var want []string
	for _, m := range whole.Messages {
		want = append(want, m.ID)
	}
	if fmt.Sprint(ids) != fmt.Sprint(want) {
		t.Errorf("thread paged over /ws = %v, want %v", ids, want)
	}
	p, err := c.Conversations(ctx, store.ListQuery{Filter: store.FilterAll, Limit: 1})
	if listCursor = p.Next; err != nil || listCursor == "" {
		t.Fatalf("first list page: %+v %v", p, err)
	}
	if _, err := c.Thread(ctx, u0, listCursor, 2); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("a list cursor as a thread cursor: %v, want ErrInvalid", err)
	}
	if _, err := c.Conversations(ctx, store.ListQuery{After: store.Cursor(want[0])}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("a message id as a list cursor: %v, want ErrInvalid", err)
	}
}

// A client of the version that read cursors as key hex is told to upgrade,
// in words that name the version the daemon speaks.
func TestAPIRefusesProtocol1(t *testing.T) {
	d := startDaemon(t, openStore(t), nil)
	f := hello(t, d, 1)
	want := fmt.Sprintf("protocol %d", daemon.ProtocolVersion)
	if f.Type != "error" || f.Error == nil || f.Error.Code != "upgrade_required" || !strings.Contains(f.Error.Message, want) {
		t.Errorf("answer to a version 1 hello: %+v (daemon speaks %d)", f, daemon.ProtocolVersion)
	}
}
