package fbgraph_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/fbgraph"
	"github.com/pageinbox/pageinbox/fbgraph/fbtest"
)

func addTemplates(srv *fbtest.Server) {
	srv.AddTemplate(fbtest.TemplateSpec{Name: "order_update", Lang: "en_US", Body: "Order {{1}} ships on {{2}}."})
	srv.AddTemplate(fbtest.TemplateSpec{Name: "refund_named", Lang: "en_US", Body: "Hi {{first_name}}, refund {{amount}} sent."})
	srv.AddTemplate(fbtest.TemplateSpec{Name: "promo", Lang: "en_US", Category: "MARKETING", Body: "Sale now"})
	srv.AddTemplate(fbtest.TemplateSpec{Name: "pending_one", Lang: "en_US", Status: "PENDING", Body: "Later"})
}

// Sync reads every template with its status, category and parameters,
// positional or named, and only approved UTILITY ones are Sendable.
func TestTemplatesSync(t *testing.T) {
	f := newFixture(t)
	addTemplates(f.srv)
	got, err := f.c.Templates(context.Background(), f.srv.PageID())
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]fbgraph.Template{}
	for _, tp := range got {
		by[tp.Name] = tp
	}
	if len(by) != 4 {
		t.Fatalf("templates: %+v", got)
	}
	if o := by["order_update"]; o.Named || strings.Join(o.Params, ",") != "1,2" || !o.Sendable() || o.Language != "en_US" || o.ID == "" {
		t.Fatalf("positional template read as %+v", o)
	}
	if r := by["refund_named"]; !r.Named || strings.Join(r.Params, ",") != "first_name,amount" {
		t.Fatalf("named template read as %+v", r)
	}
	if by["promo"].Sendable() || by["pending_one"].Sendable() {
		t.Fatal("a marketing or pending template counts as sendable")
	}
}

// A UTILITY send reaches a customer outside the 24 h window, in the
// documented message.template shape, positional params in order without
// parameter_name and named ones with it.
func TestTemplateSendOutsideWindow(t *testing.T) {
	f := newFixture(t)
	addTemplates(f.srv)
	f.srv.AddUser("old", "Bea")
	f.srv.Inbound("old", t0.Add(-72*time.Hour))
	ctx := context.Background()
	if _, err := f.c.Send(ctx, text("old", "plain text")); !errors.Is(err, fbgraph.ErrOutsideWindow) {
		t.Fatalf("plain text outside the window: %v", err)
	}
	msg := fbgraph.Message{PSID: "old", MessagingType: fbgraph.Utility, Template: &fbgraph.TemplateSend{
		Name: "order_update", Lang: "en_US", Params: []fbgraph.TemplateParam{{Name: "2", Value: "Friday"}, {Name: "1", Value: "A-77"}}}}
	if _, err := f.c.Send(ctx, msg); err != nil {
		t.Fatal(err)
	}
	named := fbgraph.Message{PSID: "old", MessagingType: fbgraph.Utility, Template: &fbgraph.TemplateSend{
		Name: "refund_named", Lang: "en_US", Params: []fbgraph.TemplateParam{{Name: "amount", Value: "$5"}, {Name: "first_name", Value: "Bea"}}}}
	if _, err := f.c.Send(ctx, named); err != nil {
		t.Fatal(err)
	}
	sent := f.srv.SentTo("old")
	if len(sent) != 2 || sent[0].Text != "Order A-77 ships on Friday." || sent[1].Text != "Hi Bea, refund $5 sent." ||
		sent[0].MessagingType != "UTILITY" || sent[0].Template != "order_update" {
		t.Fatalf("emulator got %+v", sent)
	}
	var body struct {
		Message struct {
			Template struct {
				Components []struct {
					Parameters []map[string]string `json:"parameters"`
				} `json:"components"`
			} `json:"template"`
		} `json:"message"`
	}
	var posts [][]byte
	for _, r := range f.srv.Requests() {
		if strings.HasSuffix(r.Path, "/messages") && strings.Contains(string(r.Body), "UTILITY") {
			posts = append(posts, r.Body)
		}
	}
	if len(posts) != 2 || json.Unmarshal(posts[0], &body) != nil {
		t.Fatalf("utility posts: %q", posts)
	}
	if p := body.Message.Template.Components[0].Parameters; p[0]["text"] != "A-77" || p[0]["parameter_name"] != "" {
		t.Fatalf("positional params sent as %v", p)
	}
}

// The emulator refuses what Meta would: a marketing template, a pending
// one, the wrong parameter count; none of them is retried.
func TestTemplateSendRefusals(t *testing.T) {
	f := newFixture(t)
	addTemplates(f.srv)
	ctx := context.Background()
	for _, ts := range []fbgraph.TemplateSend{
		{Name: "promo", Lang: "en_US"},
		{Name: "pending_one", Lang: "en_US"},
		{Name: "order_update", Lang: "en_US", Params: []fbgraph.TemplateParam{{Name: "1", Value: "x"}}},
		{Name: "nope", Lang: "en_US"},
	} {
		ts := ts
		_, err := f.c.Send(ctx, fbgraph.Message{PSID: "u1", MessagingType: fbgraph.Utility, Template: &ts})
		if fbgraph.ClassOf(err) != fbgraph.ClassInvalid {
			t.Errorf("%s: %v", ts.Name, err)
		}
	}
	if n := len(f.srv.Sent()); n != 0 {
		t.Fatalf("%d refused templates were recorded as sent", n)
	}
}

// Without the permission (or the market) sync and send fail once with
// their own class and a reason that says what to request; never retried.
func TestTemplatesRefusedWithoutPermission(t *testing.T) {
	f := newFixture(t)
	addTemplates(f.srv)
	f.srv.SetUtilityDenied(true)
	ctx := context.Background()
	_, err := f.c.Templates(ctx, f.srv.PageID())
	if !errors.Is(err, fbgraph.ErrUtilityUnavailable) {
		t.Fatalf("sync: %v", err)
	}
	before := len(f.srv.Requests())
	_, err = f.c.Send(ctx, fbgraph.Message{PSID: "u1", MessagingType: fbgraph.Utility,
		Template: &fbgraph.TemplateSend{Name: "promo", Lang: "en_US"}})
	var ge *fbgraph.Error
	if !errors.As(err, &ge) || ge.Class != fbgraph.ClassUtilityUnavailable || ge.Class.Retryable() {
		t.Fatalf("send: %v", err)
	}
	if r := ge.Reason(); !strings.Contains(r, fbgraph.UtilityPermission) || !strings.Contains(r, "market") {
		t.Fatalf("reason does not say what to do: %q", r)
	}
	if n := len(f.srv.Requests()) - before; n != 1 {
		t.Fatalf("refused send made %d requests, want 1 (no retry)", n)
	}
}
