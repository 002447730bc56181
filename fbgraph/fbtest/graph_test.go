package fbtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// getURL GETs an absolute URL (a paging link) with the token in the header.
func getURL(t *testing.T, u string) answer {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.Header.Set("Authorization", "Bearer "+DefaultPageToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	a := answer{status: resp.StatusCode, raw: string(raw)}
	if err := json.Unmarshal(raw, &a.body); err != nil {
		t.Fatalf("%q", raw)
	}
	return a
}

type convPage struct {
	Data []struct {
		ID           string `json:"id"`
		UpdatedTime  string `json:"updated_time"`
		Participants struct {
			Data []struct{ ID, Name, Email string } `json:"data"`
		} `json:"participants"`
		Messages struct {
			Data []struct {
				ID          string `json:"id"`
				Message     string `json:"message"`
				CreatedTime string `json:"created_time"`
				From        struct{ ID, Name string }
				To          struct {
					Data []struct{ ID string } `json:"data"`
				} `json:"to"`
			} `json:"data"`
		} `json:"messages"`
	} `json:"data"`
	Paging struct {
		Cursors  struct{ Before, After string } `json:"cursors"`
		Next     string                         `json:"next"`
		Previous string                         `json:"previous"`
	} `json:"paging"`
}

func decodePage(t *testing.T, a answer) convPage {
	t.Helper()
	if a.status != 200 {
		t.Fatalf("%s", a.raw)
	}
	var p convPage
	if err := json.Unmarshal([]byte(a.raw), &p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestConversationsPaging(t *testing.T) {
	clk := newClock()
	s := NewServer(Config{Now: clk.Now})
	defer s.Close()
	const n = 57
	for i := range n {
		id := fmt.Sprintf("70000000000%05d", i)
		s.AddUser(id, fmt.Sprintf("Customer %d", i))
		switch i % 3 {
		case 0: // wrote, with text
			s.InboundMessage(id, "", fmt.Sprintf("hello %d", i), t0.Add(-time.Duration(i)*time.Minute))
		case 1: // a window opened by Inbound
			s.Inbound(id, t0.Add(-time.Duration(i)*time.Minute))
		case 2: // wrote, then got an answer
			s.InboundMessage(id, "", "question", t0.Add(-time.Duration(i)*time.Minute-time.Second))
			clk.Set(t0.Add(-time.Duration(i) * time.Minute))
			if a := send(t, s, textMsg(id, "RESPONSE", "answer")); a.status != 200 {
				t.Fatal(a.raw)
			}
			clk.Set(t0)
		}
	}
	s.AddUser("7999999999999999", "Never Wrote") // no conversation

	q := url.Values{"platform": {"messenger"}, "limit": {"10"},
		"fields": {"participants,updated_time,messages{message,from,to,created_time}"}}
	a := do(t, s, http.MethodGet, "/v25.0/"+DefaultPageID+"/conversations", DefaultPageToken, q, nil)
	seen := map[string]int{}
	var order []string
	pages := 0
	for {
		p := decodePage(t, a)
		pages++
		for _, c := range p.Data {
			seen[c.ID]++
			order = append(order, c.UpdatedTime)
			if !strings.HasPrefix(c.ID, "t_") || len(c.Participants.Data) != 2 || c.Participants.Data[1].ID != DefaultPageID ||
				c.Participants.Data[1].Name != DefaultPageName || !strings.HasPrefix(c.UpdatedTime, "2026-05-04T") ||
				!strings.HasSuffix(c.UpdatedTime, "+0000") {
				t.Fatalf("conversation %+v", c)
			}
		}
		if p.Paging.Next == "" {
			break
		}
		if strings.Contains(p.Paging.Next, "access_token") {
			t.Fatalf("next carries a token that came in a header: %s", p.Paging.Next)
		}
		if pages > 10 {
			t.Fatal("paging does not end")
		}
		a = getURL(t, p.Paging.Next)
	}
	if len(seen) != n || pages != 6 {
		t.Fatalf("%d conversations over %d pages, want %d over 6", len(seen), pages, n)
	}
	for id, k := range seen {
		if k != 1 {
			t.Fatalf("%s seen %d times", id, k)
		}
	}
	for i := 1; i < len(order); i++ {
		if order[i] > order[i-1] {
			t.Fatalf("not newest first at %d: %v", i, order)
		}
	}

	// One thread, by user_id, with its messages newest first.
	q.Set("user_id", "7000000000000002")
	p := decodePage(t, do(t, s, http.MethodGet, "/v25.0/me/conversations", DefaultPageToken, q, nil))
	if len(p.Data) != 1 || p.Paging.Next != "" {
		t.Fatalf("user_id: %+v", p)
	}
	msgs := p.Data[0].Messages.Data
	if len(msgs) != 2 || msgs[0].Message != "answer" || msgs[0].From.ID != DefaultPageID || msgs[0].To.Data[0].ID != "7000000000000002" ||
		msgs[1].Message != "question" || msgs[1].From.Name != "Customer 2" {
		t.Fatalf("messages: %+v", msgs)
	}

	// Instagram has none; a bad cursor is refused.
	q.Del("user_id")
	q.Set("platform", "instagram")
	if p := decodePage(t, do(t, s, http.MethodGet, "/v25.0/me/conversations", DefaultPageToken, q, nil)); len(p.Data) != 0 {
		t.Fatalf("instagram: %+v", p)
	}
	q.Set("platform", "messenger")
	q.Set("after", "!!!")
	if a := do(t, s, http.MethodGet, "/v25.0/me/conversations", DefaultPageToken, q, nil); a.code() != 100 {
		t.Fatalf("bad cursor: %s", a.raw)
	}
}

func TestConversationKeepsTwentyMessages(t *testing.T) {
	clk := newClock()
	s := NewServer(Config{Now: clk.Now})
	defer s.Close()
	s.AddUser(psid, "Ada Lovelace")
	var mids []string
	for i := range 25 {
		mids = append(mids, s.InboundMessage(psid, "", fmt.Sprintf("m%d", i), t0.Add(time.Duration(i-30)*time.Minute)))
	}
	q := url.Values{"fields": {"messages{message,created_time}"}}
	p := decodePage(t, do(t, s, http.MethodGet, "/v25.0/me/conversations", DefaultPageToken, q, nil))
	msgs := p.Data[0].Messages.Data
	if len(msgs) != MaxThreadMessages || msgs[0].Message != "m24" || msgs[19].Message != "m5" {
		t.Fatalf("%d messages, first %+v", len(msgs), msgs[0])
	}
	convID := p.Data[0].ID

	// The thread's own messages edge pages through the same 20.
	q = url.Values{"fields": {"message"}, "limit": {"8"}}
	a := do(t, s, http.MethodGet, "/v25.0/"+convID+"/messages", DefaultPageToken, q, nil)
	var got []string
	for {
		mp := decodePage(t, a)
		for _, m := range mp.Data {
			got = append(got, m.ID)
		}
		if mp.Paging.Next == "" {
			break
		}
		a = getURL(t, mp.Paging.Next)
	}
	if len(got) != 20 || got[0] != mids[24] || got[19] != mids[5] {
		t.Fatalf("messages edge: %d", len(got))
	}
	// A recent message can be read alone; an older one cannot.
	if a := do(t, s, http.MethodGet, "/v25.0/"+mids[24], DefaultPageToken, url.Values{"fields": {"message,from"}}, nil); a.str("message") != "m24" {
		t.Fatalf("message node: %s", a.raw)
	}
	if a := do(t, s, http.MethodGet, "/v25.0/"+mids[0], DefaultPageToken, nil, nil); a.code() != 100 {
		t.Fatalf("old message: %s", a.raw)
	}
	if a := do(t, s, http.MethodGet, "/v25.0/"+convID, DefaultPageToken, url.Values{"fields": {"id,participants"}}, nil); a.str("id") != convID {
		t.Fatalf("conversation node: %s", a.raw)
	}
}

func TestProfileMeAndUnknownPaths(t *testing.T) {
	s := NewServer(Config{PageName: "Corner Shop"})
	defer s.Close()
	s.AddUser(psid, "Ada King Lovelace")

	a := do(t, s, http.MethodGet, "/v25.0/me", DefaultPageToken, nil, nil)
	if a.str("id") != DefaultPageID || a.str("name") != "Corner Shop" {
		t.Fatalf("me: %s", a.raw)
	}
	a = do(t, s, http.MethodGet, "/v25.0/"+psid, DefaultPageToken, url.Values{"fields": {"first_name,last_name,name,profile_pic"}}, nil)
	if a.str("first_name") != "Ada" || a.str("last_name") != "King Lovelace" || a.str("name") != "Ada King Lovelace" || a.str("id") != psid {
		t.Fatalf("profile: %s", a.raw)
	}
	pic, err := http.Get(a.str("profile_pic"))
	if err != nil || pic.StatusCode != 200 || pic.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("profile_pic: %v %v", err, pic)
	}
	pic.Body.Close()
	if a := do(t, s, http.MethodGet, "/v25.0/7000000000000404", DefaultPageToken, nil, nil); a.code() != 100 || a.subcode() != 2018001 {
		t.Fatalf("unknown profile: %s", a.raw)
	}
	for _, c := range []struct{ method, path string }{
		{http.MethodGet, "/v25.0/me/feed"},
		{http.MethodPost, "/v25.0/me"},
		{http.MethodGet, "/v25.0/me/messages"},
		{http.MethodPost, "/v25.0/1234/messages"},
	} {
		a := do(t, s, c.method, c.path, DefaultPageToken, nil, nil)
		if a.status != 400 || a.code() != 100 || !strings.Contains(a.errField("message").(string), "Unsupported "+strings.ToLower(c.method)+" request") {
			t.Errorf("%s %s: %s", c.method, c.path, a.raw)
		}
	}
	// Authentication comes before routing.
	if a := do(t, s, http.MethodGet, "/v25.0/me/feed", "", nil, nil); a.code() != 190 {
		t.Fatalf("%s", a.raw)
	}
}
