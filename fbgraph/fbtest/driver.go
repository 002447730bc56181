package fbtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Event is one element of a webhook's entry[].messaging[] array, built by
// the functions below as docs/meta-platform.md §3 documents it. Post fills in the
// Page's side (recipient, or an echo's sender) when an event leaves it
// out. Build other shapes by hand if a test needs them.
type Event map[string]any

// Driver posts signed webhook events to a receiver, the way Meta does.
// Set the exported fields before the first Post.
type Driver struct {
	URL       string // the receiver, e.g. http://127.0.0.1:PORT/webhook
	AppSecret string // signs X-Hub-Signature-256; default DefaultAppSecret
	PageID    string // entry[].id; default DefaultPageID
	Client    *http.Client
	// Duplicates is the probability that a POST is delivered twice (Meta's
	// at-least-once delivery), with the same bytes and signature.
	Duplicates float64
	Seed       int64
	// Now stamps entry[].time; default time.Now.
	Now func() time.Time
	// PlainJSON sends UTF-8 and unescaped "/" instead of Meta's \uXXXX
	// escapes (both parse the same; only the bytes differ).
	PlainJSON bool

	mu  sync.Mutex
	rng *rand.Rand
}

func (d *Driver) pageID() string {
	if d.PageID == "" {
		return DefaultPageID
	}
	return d.PageID
}

func (d *Driver) secret() string {
	if d.AppSecret == "" {
		return DefaultAppSecret
	}
	return d.AppSecret
}

func (d *Driver) client() *http.Client {
	if d.Client == nil {
		return defaultDriverClient
	}
	return d.Client
}

var defaultDriverClient = &http.Client{Timeout: 20 * time.Second}

func (d *Driver) now() time.Time {
	if d.Now == nil {
		return time.Now()
	}
	return d.Now()
}

// duplicate draws whether this POST goes twice.
func (d *Driver) duplicate() bool {
	if d.Duplicates <= 0 {
		return false
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.rng == nil {
		d.rng = rand.New(rand.NewPCG(uint64(d.Seed), 0x647570))
	}
	return d.rng.Float64() < d.Duplicates
}

// Body builds the signed bytes of one POST: one entry holding events in
// messaging[] (or standby[] when standby).
func (d *Driver) Body(standby bool, events ...Event) ([]byte, error) {
	elems := make([]any, len(events))
	for i, ev := range events {
		e := maps.Clone(ev)
		if e == nil {
			e = Event{}
		}
		if _, ok := e["recipient"]; !ok {
			e["recipient"] = map[string]any{"id": d.pageID()}
		}
		if _, ok := e["sender"]; !ok {
			e["sender"] = map[string]any{"id": d.pageID()}
		}
		elems[i] = map[string]any(e)
	}
	key := "messaging"
	if standby {
		key = "standby"
	}
	v := map[string]any{
		"object": "page",
		"entry":  []any{map[string]any{"id": d.pageID(), "time": d.now().UnixMilli(), key: elems}},
	}
	if d.PlainJSON {
		return marshalPlain(v)
	}
	return MarshalMeta(v)
}

// Post sends events in one signed POST (one entry, several messaging[]
// elements). A non-2xx answer is a *StatusError. With Duplicates, the same
// POST may be sent a second time; both must succeed.
func (d *Driver) Post(ctx context.Context, events ...Event) error {
	body, err := d.Body(false, events...)
	if err != nil {
		return err
	}
	return d.PostRaw(ctx, body)
}

// PostStandby sends events in entry[].standby[], as Meta does for a
// thread the app does not own.
func (d *Driver) PostStandby(ctx context.Context, events ...Event) error {
	body, err := d.Body(true, events...)
	if err != nil {
		return err
	}
	return d.PostRaw(ctx, body)
}

// PostRaw signs and sends body as it is (for malformed or hand-made
// payloads), duplicating it like Post.
func (d *Driver) PostRaw(ctx context.Context, body []byte) error {
	if d.URL == "" {
		return errors.New("fbtest: Driver.URL is empty")
	}
	if err := postSigned(ctx, d.client(), d.URL, d.secret(), body); err != nil {
		return err
	}
	if d.duplicate() {
		return postSigned(ctx, d.client(), d.URL, d.secret(), body)
	}
	return nil
}

// Verify does Meta's subscription handshake (docs/meta-platform.md §1): a GET with
// hub.mode=subscribe, the verify token and a challenge, which must come
// back as the body, byte for byte.
func (d *Driver) Verify(ctx context.Context, verifyToken string) error {
	challenge := strconv.FormatInt(1000000000+d.now().UnixNano()%1000000000, 10)
	q := url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {verifyToken}, "hub.challenge": {challenge}}
	sep := "?"
	if strings.Contains(d.URL, "?") {
		sep = "&"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, d.URL+sep+q.Encode(), nil)
	if err != nil {
		return err
	}
	req.Header.Set("User-Agent", "facebookplatform/1.0 (+http://developers.facebook.com)")
	resp, err := d.client().Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return &StatusError{StatusCode: resp.StatusCode, Body: string(got)}
	}
	if string(got) != challenge {
		return fmt.Errorf("fbtest: verification answered %q, want the challenge %q", got, challenge)
	}
	return nil
}

// ---- event builders (docs/meta-platform.md §3) ----

func ms(t time.Time) int64 {
	if t.IsZero() {
		t = time.Now()
	}
	return t.UnixMilli()
}

func from(psid string, at time.Time) Event {
	return Event{"sender": map[string]any{"id": psid}, "timestamp": ms(at)}
}

// Message is a customer's text message (messages).
func Message(psid, mid, text string, at time.Time) Event {
	e := from(psid, at)
	e["message"] = map[string]any{"mid": mid, "text": text}
	return e
}

// QuickReply is a tap on a quick reply: text = its title, plus its payload.
func QuickReply(psid, mid, text, payload string, at time.Time) Event {
	e := from(psid, at)
	e["message"] = map[string]any{"mid": mid, "text": text, "quick_reply": map[string]any{"payload": payload}}
	return e
}

// Reply is a customer's text message replying to an earlier message.
func Reply(psid, mid, text, replyToMID string, at time.Time) Event {
	e := from(psid, at)
	e["message"] = map[string]any{"mid": mid, "text": text,
		"reply_to": map[string]any{"mid": replyToMID, "is_self_reply": false}}
	return e
}

// MessageWithAttachment is a message with one attachment of type typ
// (image, audio, video, file, sticker, fallback, ...) at url.
func MessageWithAttachment(psid, mid, typ, url string, at time.Time) Event {
	e := from(psid, at)
	payload := map[string]any{}
	if url != "" {
		payload["url"] = url
	}
	e["message"] = map[string]any{"mid": mid, "attachments": []any{map[string]any{"type": typ, "payload": payload}}}
	return e
}

// Postback is a tap on a postback button, Get Started or a menu item
// (messaging_postbacks).
func Postback(psid, mid, title, payload string, at time.Time) Event {
	e := from(psid, at)
	e["postback"] = map[string]any{"mid": mid, "title": title, "payload": payload}
	return e
}

// Reaction is a react (or unreact) on the message mid (message_reactions).
func Reaction(psid, mid, reaction, emoji string, unreact bool, at time.Time) Event {
	e := from(psid, at)
	action := "react"
	if unreact {
		action = "unreact"
	}
	r := map[string]any{"action": action, "mid": mid}
	if reaction != "" {
		r["reaction"] = reaction
	}
	if emoji != "" {
		r["emoji"] = emoji
	}
	e["reaction"] = r
	return e
}

// Read says the customer read everything sent up to watermark
// (message_reads); its timestamp is the watermark.
func Read(psid string, watermark time.Time) Event {
	e := from(psid, watermark)
	e["read"] = map[string]any{"watermark": ms(watermark)}
	return e
}

// Delivery says mids (optional) and everything before watermark reached
// the customer (message_deliveries); like Meta's, it has no timestamp.
func Delivery(psid string, mids []string, watermark time.Time) Event {
	d := map[string]any{"watermark": ms(watermark)}
	if mids != nil {
		d["mids"] = mids
	}
	return Event{"sender": map[string]any{"id": psid}, "delivery": d}
}

// Echo is the echo of a message the Page sent (message_echoes): sender
// the Page, recipient the customer. appID is the sending app (yours, or
// PageInboxAppID for a person in Meta's inbox); metadata "" is left out.
// pageID "" lets Post fill in the Driver's Page.
func Echo(pageID, psid, mid, text, appID, metadata string, at time.Time) Event {
	m := map[string]any{"is_echo": true, "mid": mid, "text": text}
	if appID != "" {
		m["app_id"] = appIDValue(appID)
	}
	if metadata != "" {
		m["metadata"] = metadata
	}
	e := Event{"recipient": map[string]any{"id": psid}, "timestamp": ms(at), "message": m}
	if pageID != "" {
		e["sender"] = map[string]any{"id": pageID}
	}
	return e
}

// Edit is an edit of the customer's message mid (message_edits).
func Edit(psid, mid, text string, numEdit int, at time.Time) Event {
	e := from(psid, at)
	e["message_edit"] = map[string]any{"mid": mid, "text": text, "num_edit": numEdit}
	return e
}

// Referral is a customer with a thread coming back through an m.me link
// with ref (messaging_referrals).
func Referral(psid, ref string, at time.Time) Event {
	e := from(psid, at)
	e["referral"] = map[string]any{"ref": ref, "source": "SHORTLINK", "type": "OPEN_THREAD"}
	return e
}

// ---- the server as the customer's side ----

// CustomerWrites is a customer writing text to the Page: the server
// records the message (opening the 24 h window, joining the conversation)
// and d posts the signed webhook. The mid is returned even if the post
// failed (the customer did write).
func (s *Server) CustomerWrites(ctx context.Context, d *Driver, psid, text string) (string, error) {
	at := s.cfg.Now()
	mid := s.InboundMessage(psid, "", text, at)
	return mid, d.Post(ctx, Message(psid, mid, text, at))
}

// CustomerPostback is a customer tapping a button (it opens the window);
// recorded like CustomerWrites, with the title as the message text.
func (s *Server) CustomerPostback(ctx context.Context, d *Driver, psid, title, payload string) (string, error) {
	at := s.cfg.Now()
	mid := s.InboundMessage(psid, "", title, at)
	return mid, d.Post(ctx, Postback(psid, mid, title, payload, at))
}

// CustomerReacts is a customer reacting to the message mid (it opens the
// window, docs/meta-platform.md §6).
func (s *Server) CustomerReacts(ctx context.Context, d *Driver, psid, mid, reaction, emoji string) error {
	at := s.cfg.Now()
	s.Inbound(psid, at)
	return d.Post(ctx, Reaction(psid, mid, reaction, emoji, false, at))
}

func marshalPlain(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}
