package fbgraph

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// graphTime is how the Graph API writes times: 2026-11-28T09:41:00+0000.
const graphTime = "2006-01-02T15:04:05-0700"

// Participant is one side of a conversation.
type Participant struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// ThreadMessage is one message read back through the Conversations API.
type ThreadMessage struct {
	ID          string
	Text        string
	CreatedTime time.Time
	From        Participant
	To          []Participant
}

// Thread is one conversation from the Conversations API. Meta returns only
// the 20 most recent messages of each, newest first.
type Thread struct {
	ID           string
	UpdatedTime  time.Time
	Participants []Participant
	Messages     []ThreadMessage
}

// Customer is the participant who is not the page.
func (t Thread) Customer(pageID string) (Participant, bool) {
	for _, p := range t.Participants {
		if p.ID != pageID {
			return p, true
		}
	}
	return Participant{}, false
}

type rawThread struct {
	ID           string `json:"id"`
	UpdatedTime  string `json:"updated_time"`
	Participants struct {
		Data []Participant `json:"data"`
	} `json:"participants"`
	Messages struct {
		Data []struct {
			ID          string      `json:"id"`
			Message     string      `json:"message"`
			CreatedTime string      `json:"created_time"`
			From        Participant `json:"from"`
			To          struct {
				Data []Participant `json:"data"`
			} `json:"to"`
		} `json:"data"`
	} `json:"messages"`
}

// Conversations pages through the Page's Messenger conversations, newest
// first, calling fn for each until fn returns an error or Meta says there
// is no next page. Stop early by returning ErrStop.
func (c *Client) Conversations(ctx context.Context, pageID string, pageSize int, fn func(Thread) error) error {
	if pageSize <= 0 || pageSize > 100 {
		pageSize = 25
	}
	q := url.Values{
		"platform": {"messenger"},
		"fields":   {"participants,updated_time,messages{message,from,to,created_time}"},
		"limit":    {fmt.Sprint(pageSize)},
	}
	err := walkPages(ctx, c, "conversations", "/"+pageID+"/conversations", q, func(threads []rawThread) error {
		for _, rt := range threads {
			if err := fn(rt.thread()); err != nil {
				return err
			}
		}
		return nil
	})
	if err == ErrStop {
		return nil
	}
	return err
}

// ErrStop ends a paging walk early without an error.
var ErrStop = fmt.Errorf("stop")

// walkPages GETs path with q, then each paging.next link Meta gives
// (sameHost), handing every page's data to fn, until fn fails or there
// is no next page.
func walkPages[T any](ctx context.Context, c *Client, op, path string, q url.Values, fn func([]T) error) error {
	if c.proof != "" {
		q.Set("appsecret_proof", c.proof)
	}
	next := c.base + "/" + c.version + path + "?" + q.Encode()
	// A paging link that comes back (a cursor Meta repeats, a proxy that
	// loops) would walk for ever: each link is followed once.
	seen := map[string]bool{}
	for pages := 0; next != ""; pages++ {
		if seen[next] {
			return fmt.Errorf("graph %s: paging link after %d pages repeats an earlier one; stopping", op, pages)
		}
		seen[next] = true
		var page struct {
			Data   []T `json:"data"`
			Paging struct {
				Next string `json:"next"`
			} `json:"paging"`
		}
		if err := c.do(ctx, op, http.MethodGet, next, nil, &page, ""); err != nil {
			return err
		}
		if err := fn(page.Data); err != nil {
			return err
		}
		var err error
		if next, err = c.sameHost(op, page.Paging.Next); err != nil {
			return err
		}
	}
	return nil
}

// sameHost checks that a paging URL points where we send the token, and
// strips any token Meta put in it: ours travels in a header.
func (c *Client) sameHost(op, next string) (string, error) {
	if next == "" {
		return "", nil
	}
	u, err := url.Parse(next)
	base, _ := url.Parse(c.base)
	if err != nil || base == nil || u.Host != base.Host || u.Scheme != base.Scheme {
		return "", fmt.Errorf("graph %s: paging link leaves %s; not following it", op, c.base)
	}
	q := u.Query()
	q.Del("access_token")
	if c.proof != "" {
		q.Set("appsecret_proof", c.proof)
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

func (rt rawThread) thread() Thread {
	t := Thread{ID: rt.ID, Participants: rt.Participants.Data}
	t.UpdatedTime, _ = time.Parse(graphTime, rt.UpdatedTime)
	for _, m := range rt.Messages.Data {
		tm := ThreadMessage{ID: m.ID, Text: m.Message, From: m.From, To: m.To.Data}
		tm.CreatedTime, _ = time.Parse(graphTime, strings.TrimSpace(m.CreatedTime))
		t.Messages = append(t.Messages, tm)
	}
	return t
}
