package fbgraph

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Defaults. The version is pinned so that a Meta release never changes
// behaviour under us (docs/meta-platform.md §7: v25.0 runs until July 2028).
const (
	DefaultBaseURL = "https://graph.facebook.com"
	DefaultVersion = "v25.0"
	MaxTextLen     = 2000 // text must be under this many characters
	MaxQuickReply  = 13
)

// Options configure a Client.
type Options struct {
	BaseURL   string // default DefaultBaseURL; the emulator or a proxy in tests
	Version   string // default DefaultVersion
	PageToken string // the Page access token
	// AppSecret, when set, adds appsecret_proof to every call (required by
	// apps with "Require App Secret" on).
	AppSecret  string
	HTTPClient *http.Client // default: 30 s timeout
	// MaxAttempts bounds the tries of a retryable call, for each kind of
	// failure (rate limits, transient failures). Default 4.
	MaxAttempts int
	// BaseDelay and MaxDelay shape exponential backoff with full jitter.
	// Defaults 250 ms and 20 s.
	BaseDelay, MaxDelay time.Duration
	Logger              *slog.Logger // default: discard
}

// Client calls the Graph API for one Page. It is safe for concurrent use.
type Client struct {
	base    string
	version string
	token   string
	proof   string
	http    *http.Client
	tries   int
	minWait time.Duration
	maxWait time.Duration
	log     *slog.Logger
	sleep   func(context.Context, time.Duration) error
}

// New returns a Client.
func New(o Options) *Client {
	if o.BaseURL == "" {
		o.BaseURL = DefaultBaseURL
	}
	if o.Version == "" {
		o.Version = DefaultVersion
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 4
	}
	if o.BaseDelay <= 0 {
		o.BaseDelay = 250 * time.Millisecond
	}
	if o.MaxDelay <= 0 {
		o.MaxDelay = 20 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	c := &Client{base: strings.TrimRight(o.BaseURL, "/"), version: o.Version, token: o.PageToken,
		http: o.HTTPClient, tries: o.MaxAttempts, minWait: o.BaseDelay, maxWait: o.MaxDelay, log: o.Logger, sleep: sleepCtx}
	if o.AppSecret != "" {
		c.proof = AppSecretProof(o.PageToken, o.AppSecret)
	}
	return c
}

// AppSecretProof is HMAC-SHA256 of the access token keyed with the app
// secret, hex-encoded.
func AppSecretProof(token, appSecret string) string {
	m := hmac.New(sha256.New, []byte(appSecret))
	m.Write([]byte(token))
	return hex.EncodeToString(m.Sum(nil))
}

// MessagingType values of the Send API.
const (
	Response   = "RESPONSE"
	Update     = "UPDATE"
	MessageTag = "MESSAGE_TAG"
	HumanAgent = "HUMAN_AGENT"
)

// QuickReply is a button under a message (at most 13).
type QuickReply struct {
	ContentType string `json:"content_type"` // text, user_phone_number, user_email
	Title       string `json:"title,omitempty"`
	Payload     string `json:"payload,omitempty"`
	ImageURL    string `json:"image_url,omitempty"`
}

// Message is one Send API message to one customer.
type Message struct {
	// PageID is the Page that sends: Pages routes the message to that
	// Page's token. A Client ignores it (its token names its Page).
	PageID     string
	PSID       string
	Text       string
	Attachment *Attachment // instead of Text
	// Attachments: several images in one message (message.attachments),
	// instead of Text and Attachment; at most MaxImages.
	Attachments   []Attachment
	QuickReplies  []QuickReply
	MessagingType string // RESPONSE, UPDATE, MESSAGE_TAG
	Tag           string // HUMAN_AGENT with MESSAGE_TAG
	Metadata      string // comes back in the echo
	ReplyTo       string // mid to reply to
	// Template is a Utility Message template (messaging_type UTILITY),
	// instead of Text and Attachment.
	Template *TemplateSend
}

// Attachment is media sent by URL, or by the id of an upload.
type Attachment struct {
	Type       string // image, video, audio, file
	URL        string
	IsReusable bool
	ID         string // attachment_id of a reusable upload, instead of URL
}

// SendResult is Meta's answer to a send.
type SendResult struct {
	RecipientID  string `json:"recipient_id"`
	MessageID    string `json:"message_id"`
	AttachmentID string `json:"attachment_id,omitempty"`
}

// Check refuses a message Meta would refuse, before any call.
func (m Message) Check() error {
	switch {
	case m.PSID == "":
		return errors.New("send: no recipient")
	case m.Template != nil && (m.Text != "" || m.Attachment != nil):
		return errors.New("send: a template goes without text or attachment")
	case m.Template != nil && m.MessagingType != Utility:
		return errors.New("send: a template goes only as messaging_type UTILITY")
	case m.Template != nil && (m.Template.Name == "" || m.Template.Lang == ""):
		return errors.New("send: a template needs its name and language")
	case len(m.Attachments) > 0 && m.checkImages() != nil:
		return m.checkImages()
	case m.Text == "" && m.Attachment == nil && m.Template == nil && len(m.Attachments) == 0:
		return errors.New("send: empty message")
	case m.Text != "" && m.Attachment != nil:
		return errors.New("send: text and attachment go in separate messages")
	case utf8.RuneCountInString(m.Text) >= MaxTextLen:
		return fmt.Errorf("send: text is %d characters; Messenger takes under %d", utf8.RuneCountInString(m.Text), MaxTextLen)
	case len(m.QuickReplies) > MaxQuickReply:
		return fmt.Errorf("send: %d quick replies; Messenger takes at most %d", len(m.QuickReplies), MaxQuickReply)
	case len(m.Metadata) >= 1000:
		return errors.New("send: metadata over 1000 characters")
	}
	switch m.MessagingType {
	case Response, Update:
		if m.Tag != "" {
			return fmt.Errorf("send: a %s message carries no tag", m.MessagingType)
		}
	case MessageTag:
		if m.Tag != HumanAgent {
			return fmt.Errorf("send: tag %q: only HUMAN_AGENT is still accepted by Meta", m.Tag)
		}
	case Utility:
		if m.Template == nil || m.Tag != "" {
			return errors.New("send: UTILITY sends a template, untagged")
		}
	default:
		return fmt.Errorf("send: messaging_type %q", m.MessagingType)
	}
	if a := m.Attachment; a != nil {
		switch a.Type {
		case "image", "video", "audio", "file":
		default:
			return fmt.Errorf("send: attachment type %q", a.Type)
		}
		if a.ID != "" {
			if a.URL != "" {
				return errors.New("send: an attachment goes by URL or by id, not both")
			}
			return nil
		}
		if u, err := url.Parse(a.URL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return fmt.Errorf("send: attachment URL %q is not an http(s) URL", a.URL)
		}
	}
	return nil
}

// Send sends a message. Rate limits and transient failures are retried
// with backoff; everything else comes back as an *Error at once.
func (c *Client) Send(ctx context.Context, m Message) (SendResult, error) {
	var res SendResult
	if err := m.Check(); err != nil {
		return res, err
	}
	body := map[string]any{
		"recipient":      map[string]string{"id": m.PSID},
		"messaging_type": m.MessagingType,
	}
	if m.Tag != "" {
		body["tag"] = m.Tag
	}
	msg := map[string]any{}
	if m.Text != "" {
		msg["text"] = m.Text
	}
	if a := m.Attachment; a != nil {
		msg["attachment"] = a.body()
	}
	if len(m.Attachments) > 0 {
		atts := make([]any, len(m.Attachments))
		for i, a := range m.Attachments {
			atts[i] = a.body()
		}
		msg["attachments"] = atts
	}
	if m.Template != nil {
		tpl, err := templatePayload(m.Template)
		if err != nil {
			return res, err
		}
		msg["template"] = tpl
	}
	if len(m.QuickReplies) > 0 {
		msg["quick_replies"] = m.QuickReplies
	}
	if m.Metadata != "" {
		msg["metadata"] = m.Metadata
	}
	body["message"] = msg
	if m.ReplyTo != "" {
		body["reply_to"] = map[string]string{"mid": m.ReplyTo}
	}
	err := c.call(ctx, "send", http.MethodPost, "/me/messages", nil, body, &res, m.Tag)
	if m.Template != nil {
		err = utilityUnavailable(err)
	}
	return res, err
}

// SenderAction is typing_on, typing_off or mark_seen.
type SenderAction string

const (
	TypingOn  SenderAction = "typing_on"
	TypingOff SenderAction = "typing_off"
	MarkSeen  SenderAction = "mark_seen"
)

// SendAction sends a sender action, in a request of its own.
func (c *Client) SendAction(ctx context.Context, psid string, a SenderAction) error {
	body := map[string]any{"recipient": map[string]string{"id": psid}, "sender_action": a}
	return c.call(ctx, "sender_action", http.MethodPost, "/me/messages", nil, body, nil, "")
}

// call does one Graph API call with retries for retryable errors. The
// token travels in the Authorization header, never in the URL, so it can't
// leak through a logged URL or a url.Error.
func (c *Client) call(ctx context.Context, op, method, path string, q url.Values, body any, out any, tag string) error {
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return fmt.Errorf("graph %s: encode: %w", op, err)
		}
	}
	if q == nil {
		q = url.Values{}
	}
	if c.proof != "" {
		q.Set("appsecret_proof", c.proof)
	}
	u := c.base + "/" + c.version + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return c.do(ctx, op, method, u, payload, out, tag)
}

// do runs one request, retrying as the error class allows. Throttling
// and Meta failing have a budget of attempts each: a send throttled a few
// times is not failed by one transient error after it.
func (c *Client) do(ctx context.Context, op, method, u string, payload []byte, out any, tag string) error {
	return c.retry(ctx, op, method != http.MethodPost, func() error {
		return c.once(ctx, op, method, u, payload, out, tag)
	})
}

// retry calls try until it succeeds or its error may not be retried. A
// request that may have reached Meta goes again only if resend says that
// is harmless.
func (c *Client) retry(ctx context.Context, op string, resend bool, try func() error) error {
	var last *Error
	tries := map[Class]int{}
	for attempt := 1; ; attempt++ {
		err := try()
		if err == nil {
			return nil
		}
		var ge *Error
		if !errors.As(err, &ge) {
			return err
		}
		last = ge
		tries[ge.Class]++
		if !ge.Class.Retryable() || tries[ge.Class] >= c.tries || ctx.Err() != nil || (ge.MaybeSent && !resend) {
			if ge.Class == ClassUnknown {
				c.log.Warn("graph: unexpected error, not retried", "op", op, "status", ge.HTTPStatus,
					"code", ge.Code, "subcode", ge.Subcode, "fbtrace_id", ge.FBTraceID)
			}
			return last
		}
		wait := c.backoff(attempt, ge.RetryAfter)
		c.log.Debug("graph: retrying", "op", op, "class", ge.Class.String(), "attempt", attempt, "wait", wait, "fbtrace_id", ge.FBTraceID)
		if err := c.sleep(ctx, wait); err != nil {
			return &Error{Class: last.Class, HTTPStatus: last.HTTPStatus, Code: last.Code, Subcode: last.Subcode,
				Message: last.Message, FBTraceID: last.FBTraceID, Op: op, Err: err}
		}
	}
}

// backoff is exponential with full jitter, at least what Meta suggested.
func (c *Client) backoff(attempt int, suggested time.Duration) time.Duration {
	ceil := c.minWait << (attempt - 1)
	if ceil > c.maxWait || ceil <= 0 {
		ceil = c.maxWait
	}
	d := time.Duration(rand.Int64N(int64(ceil)) + 1)
	if suggested > d {
		d = min(suggested, c.maxWait)
	}
	return d
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (c *Client) once(ctx context.Context, op, method, u string, payload []byte, out any, tag string) error {
	var rd io.Reader
	if payload != nil {
		rd = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return fmt.Errorf("graph %s: %w", op, redactErr(err))
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return c.answer(ctx, op, req, out, tag)
}

// answer sends a built request and reads Meta's answer into out.
func (c *Client) answer(ctx context.Context, op string, req *http.Request, out any, tag string) error {
	resp, err := c.http.Do(req)
	if err != nil {
		return &Error{Class: transportClass(ctx), Op: op, Err: redactErr(err), MaybeSent: !beforeSending(err)}
	}
	defer resp.Body.Close()
	ok := resp.StatusCode/100 == 2
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		// A 2xx whose body was lost: Meta did the work; a retry would redo it.
		return &Error{Class: ClassTransient, HTTPStatus: resp.StatusCode, Op: op, Err: redactErr(err), MaybeSent: ok}
	}
	if ok {
		if out == nil {
			return nil
		}
		if err := json.Unmarshal(raw, out); err != nil {
			return &Error{Class: ClassTransient, HTTPStatus: resp.StatusCode, Op: op, MaybeSent: true,
				Err: fmt.Errorf("answer is not JSON: %w", err)}
		}
		return nil
	}
	return decodeError(resp, raw, op, tag)
}

// decodeError turns Meta's envelope into an *Error.
func decodeError(resp *http.Response, raw []byte, op, tag string) *Error {
	var env struct {
		Error struct {
			Message     string `json:"message"`
			Type        string `json:"type"`
			Code        int    `json:"code"`
			Subcode     int    `json:"error_subcode"`
			UserTitle   string `json:"error_user_title"`
			UserMsg     string `json:"error_user_msg"`
			FBTraceID   string `json:"fbtrace_id"`
			IsTransient bool   `json:"is_transient"`
		} `json:"error"`
	}
	e := &Error{HTTPStatus: resp.StatusCode, Op: op}
	if json.Unmarshal(raw, &env) == nil && (env.Error.Code != 0 || env.Error.Message != "" || env.Error.FBTraceID != "") {
		m := env.Error
		e.Code, e.Subcode, e.Type, e.Message = m.Code, m.Subcode, m.Type, m.Message
		e.UserTitle, e.UserMsg, e.FBTraceID, e.IsTransient = m.UserTitle, m.UserMsg, m.FBTraceID, m.IsTransient
	} else {
		e.Message = http.StatusText(resp.StatusCode)
		if resp.StatusCode >= 500 {
			// Not Meta's answer: an edge (a proxy, a load balancer) gave
			// up on Meta's backend, which may have accepted the request.
			// Only Meta's own error envelope proves a refusal.
			e.MaybeSent = true
			e.Err = fmt.Errorf("HTTP %d %s without Meta's error envelope", resp.StatusCode, http.StatusText(resp.StatusCode))
		}
	}
	e.Class = classify(resp.StatusCode, e.Code, e.Subcode, e.IsTransient, tag)
	if e.Class == ClassRateLimited {
		e.RetryAfter = retryAfter(resp.Header)
	}
	return e
}

// retryAfter reads Retry-After or the business-use-case header's
// estimated_time_to_regain_access (minutes).
func retryAfter(h http.Header) time.Duration {
	if s := h.Get("Retry-After"); s != "" {
		if n, err := strconv.Atoi(s); err == nil && n > 0 {
			return time.Duration(n) * time.Second
		}
	}
	if s := h.Get("X-Business-Use-Case-Usage"); s != "" {
		var usage map[string][]struct {
			Minutes int `json:"estimated_time_to_regain_access"`
		}
		if json.Unmarshal([]byte(s), &usage) == nil {
			var best int
			for _, list := range usage {
				for _, u := range list {
					best = max(best, u.Minutes)
				}
			}
			return time.Duration(best) * time.Minute
		}
	}
	return 0
}
