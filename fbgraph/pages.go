package fbgraph

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
)

// Pages holds one Client per connected Page: a Page token is good for
// its own Page only (PLATFORM.md §2), so every call goes with the token
// of the Page it is for. It is a Sender that routes by Message.PageID.
// Safe for concurrent use.
type Pages struct {
	mu   sync.RWMutex
	byID map[string]*Client
	ids  []string // in the order added
	// lone is the client of a token whose Page is not named (a lone
	// PAGE_ACCESS_TOKEN without PAGE_ID): it serves every Page, as one
	// token did before several Pages existed.
	lone *Client
}

// NewPages returns an empty registry.
func NewPages() *Pages { return &Pages{byID: map[string]*Client{}} }

// Add registers the client of the Page pageID; "" registers a token
// whose Page is not known yet (it serves any Page no other token does).
func (p *Pages) Add(pageID string, c *Client) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if pageID == "" {
		p.lone = c
		return
	}
	if _, ok := p.byID[pageID]; !ok {
		p.ids = append(p.ids, pageID)
	}
	p.byID[pageID] = c
}

// IDs lists the Pages registered by id, in the order added.
func (p *Pages) IDs() []string {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return slices.Clone(p.ids)
}

// Len is how many tokens are registered.
func (p *Pages) Len() int {
	p.mu.RLock()
	defer p.mu.RUnlock()
	n := len(p.ids)
	if p.lone != nil {
		n++
	}
	return n
}

// NoPageTokenError: nothing may be sent for the Page, as no token of it
// is connected. The item waits; no other Page's token is tried.
type NoPageTokenError struct{ PageID string }

func (e *NoPageTokenError) Error() string {
	return fmt.Sprintf("no token for Page %s: connect it (pageinbox pages connect); its messages wait", e.PageID)
}

// ErrNoPageToken matches every *NoPageTokenError with errors.Is.
var ErrNoPageToken = errors.New("no token for the Page")

// Is makes errors.Is(err, ErrNoPageToken) true.
func (e *NoPageTokenError) Is(target error) bool { return target == ErrNoPageToken }

// For is the client of the Page pageID: its own, else the lone token's
// (pageID "" asks for the only client there is).
func (p *Pages) For(pageID string) (*Client, error) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if c, ok := p.byID[pageID]; ok {
		return c, nil
	}
	if p.lone != nil && (len(p.ids) == 0 || pageID == "") {
		return p.lone, nil // beside named Pages it stands for its own only (NameLone)
	}
	if pageID == "" && len(p.ids) == 1 {
		return p.byID[p.ids[0]], nil
	}
	return nil, &NoPageTokenError{PageID: pageID}
}

// NameLone asks Meta which Page the lone token is for (/me) and files it
// under that id, so that beside named Pages it serves its own Page, and
// no other Page is ever tried with it.
func (p *Pages) NameLone(ctx context.Context) error {
	p.mu.RLock()
	lone := p.lone
	p.mu.RUnlock()
	if lone == nil {
		return nil
	}
	me, err := lone.Me(ctx)
	if err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.lone == lone && me.ID != "" {
		if _, ok := p.byID[me.ID]; !ok {
			p.ids = append(p.ids, me.ID)
			p.byID[me.ID] = lone
		}
		p.lone = nil
	}
	return nil
}

// Send sends m with the token of m.PageID.
func (p *Pages) Send(ctx context.Context, m Message) (SendResult, error) {
	c, err := p.For(m.PageID)
	if err != nil {
		return SendResult{}, err
	}
	return c.Send(ctx, m)
}

// Name looks a customer up with the token of their Page
// (inbox.NameLookup): PSIDs are per Page.
func (p *Pages) Name(ctx context.Context, pageID, psid string) (string, error) {
	c, err := p.For(pageID)
	if err != nil {
		return "", err
	}
	return c.Name(ctx, pageID, psid)
}

// SendsPerPage tells the Dispatcher that a refused token holds back only
// its own Page's sends: true with several tokens.
func (p *Pages) SendsPerPage() bool { return p.Len() > 1 }
