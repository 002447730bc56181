package daemon

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"reflect"
	"time"

	"github.com/pageinbox/pageinbox/store"
)

// The binary records of a "changes" frame (docs/protocol.md, Pushed
// changes): a message or a conversation is a bit mask of the fields
// present, then each present field in table order. Decoding one is a few
// length-prefixed copies, where JSON is a parse per byte: what 50
// attached clients pay for every change.

// field is one field of a record: exactly one accessor is set. Named
// string types (Direction, Status, LabelSet) go as their strings.
type field[T any] struct {
	name   string
	intern bool // few distinct values (keys, kinds, states): decoded once
	str    func(*T) *string
	num    func(*T) *int
	u64    func(*T) *uint64
	tm     func(*T) *time.Time
	js     func(*T) any // a pointer to a field sent as JSON (attachments, reactions)
}

var messageFields = []field[store.Message]{
	{name: "page_id", intern: true, str: func(m *store.Message) *string { return &m.PageID }},
	{name: "psid", str: func(m *store.Message) *string { return &m.PSID }},
	{name: "id", str: func(m *store.Message) *string { return &m.ID }},
	{name: "mid", str: func(m *store.Message) *string { return &m.MID }},
	{name: "direction", intern: true, str: func(m *store.Message) *string { return (*string)(&m.Direction) }},
	{name: "kind", intern: true, str: func(m *store.Message) *string { return &m.Kind }},
	{name: "text", str: func(m *store.Message) *string { return &m.Text }},
	{name: "attachments", js: func(m *store.Message) any { return &m.Attachments }},
	{name: "quick_reply", str: func(m *store.Message) *string { return &m.QuickReply }},
	{name: "payload", str: func(m *store.Message) *string { return &m.Payload }},
	{name: "reply_to", str: func(m *store.Message) *string { return &m.ReplyTo }},
	{name: "reactions", js: func(m *store.Message) any { return &m.Reactions }},
	{name: "time", tm: func(m *store.Message) *time.Time { return &m.Time }},
	{name: "status", intern: true, str: func(m *store.Message) *string { return (*string)(&m.Status) }},
	{name: "error", str: func(m *store.Message) *string { return &m.Error }},
	{name: "app_id", str: func(m *store.Message) *string { return &m.AppID }},
	{name: "edits", num: func(m *store.Message) *int { return &m.Edits }},
	{name: "campaign_id", u64: func(m *store.Message) *uint64 { return &m.CampaignID }},
	{name: "agent", str: func(m *store.Message) *string { return &m.Agent }},
	{name: "template", str: func(m *store.Message) *string { return &m.Template }},
	{name: "outbox_id", u64: func(m *store.Message) *uint64 { return &m.OutboxID }},
}

// convKeyFields: a conversation's first two fields, in every record.
const convKeyFields = 2

var convFields = []field[store.Conversation]{
	{name: "page_id", intern: true, str: func(c *store.Conversation) *string { return &c.PageID }},
	{name: "psid", str: func(c *store.Conversation) *string { return &c.PSID }},
	{name: "name", str: func(c *store.Conversation) *string { return &c.Name }},
	{name: "last_message", str: func(c *store.Conversation) *string { return &c.LastMessage }},
	{name: "last_direction", intern: true, str: func(c *store.Conversation) *string { return (*string)(&c.LastDirection) }},
	{name: "last_message_time", tm: func(c *store.Conversation) *time.Time { return &c.LastMessageTime }},
	{name: "last_inbound_time", tm: func(c *store.Conversation) *time.Time { return &c.LastInboundTime }},
	{name: "unread", num: func(c *store.Conversation) *int { return &c.Unread }},
	{name: "message_count", num: func(c *store.Conversation) *int { return &c.MessageCount }},
	{name: "status", intern: true, str: func(c *store.Conversation) *string { return (*string)(&c.Status) }},
	{name: "snoozed_until", tm: func(c *store.Conversation) *time.Time { return &c.SnoozedUntil }},
	{name: "assignee", str: func(c *store.Conversation) *string { return &c.Assignee }},
	{name: "labels", str: func(c *store.Conversation) *string { return (*string)(&c.Labels) }},
	{name: "delivered_up_to", tm: func(c *store.Conversation) *time.Time { return &c.DeliveredUpTo }},
	{name: "read_up_to", tm: func(c *store.Conversation) *time.Time { return &c.ReadUpTo }},
	{name: "last_activity", tm: func(c *store.Conversation) *time.Time { return &c.LastActivity }},
	{name: "blocked", str: func(c *store.Conversation) *string { return &c.Blocked }},
	{name: "blocked_at", tm: func(c *store.Conversation) *time.Time { return &c.BlockedAt }},
}

// differs says whether f of v differs from f of base (base nil: from zero).
func (f *field[T]) differs(v, base *T) bool {
	var zero T
	if base == nil {
		base = &zero
	}
	switch {
	case f.str != nil:
		return *f.str(v) != *f.str(base)
	case f.num != nil:
		return *f.num(v) != *f.num(base)
	case f.u64 != nil:
		return *f.u64(v) != *f.u64(base)
	case f.tm != nil:
		return !f.tm(v).Equal(*f.tm(base))
	default:
		return !reflect.DeepEqual(reflect.ValueOf(f.js(v)).Elem().Interface(), reflect.ValueOf(f.js(base)).Elem().Interface())
	}
}

// appendRecord writes v: the fields that differ from base (nil: that are
// not zero), and the first always fields.
func appendRecord[T any](b []byte, fields []field[T], v, base *T, always int) ([]byte, error) {
	var mask uint64
	for i := range fields {
		if i < always || fields[i].differs(v, base) {
			mask |= 1 << i
		}
	}
	b = binary.AppendUvarint(b, mask)
	for i := range fields {
		if mask&(1<<i) == 0 {
			continue
		}
		switch f := &fields[i]; {
		case f.str != nil:
			b = appendString(b, *f.str(v))
		case f.num != nil:
			b = binary.AppendVarint(b, int64(*f.num(v)))
		case f.u64 != nil:
			b = binary.AppendUvarint(b, *f.u64(v))
		case f.tm != nil:
			b = appendTime(b, *f.tm(v))
		default:
			js, err := json.Marshal(f.js(v))
			if err != nil {
				return b, err
			}
			b = appendString(b, string(js))
		}
	}
	return b, nil
}

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// appendTime: seconds since 1970, then nanoseconds + 1 (0: no time).
func appendTime(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(b, 0, 0)
	}
	return binary.AppendUvarint(binary.AppendVarint(b, t.Unix()), uint64(t.Nanosecond())+1)
}

var errShortFrame = errors.New("a changes frame cut short or malformed")

// reader takes a binary frame apart; the first error sticks.
type reader struct {
	b    []byte
	err  error
	strs map[string]string // interned strings, kept across frames
}

// maxInterned bounds the interned strings of a connection.
const maxInterned = 8192

// interned is the next string, shared with its earlier copies: a Page id
// or a state decoded once, not once a change.
func (r *reader) interned() string {
	b := r.bytes()
	if s, ok := r.strs[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(r.strs) >= maxInterned {
		clear(r.strs)
	}
	r.strs[s] = s
	return s
}

func (r *reader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) bytes() []byte {
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.fail()
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *reader) byte() byte {
	if len(r.b) == 0 {
		r.fail()
		return 0
	}
	v := r.b[0]
	r.b = r.b[1:]
	return v
}

func (r *reader) time() time.Time {
	sec, nsec := r.varint(), r.uvarint()
	if nsec == 0 {
		return time.Time{}
	}
	if nsec > 1e9 {
		r.fail()
	}
	return time.Unix(sec, int64(nsec-1)).UTC()
}

func (r *reader) fail() {
	if r.err == nil {
		r.err = errShortFrame
	}
	r.b = nil
}

// readRecord sets the fields of v a record holds, and returns which.
func readRecord[T any](r *reader, fields []field[T], v *T) (mask uint64) {
	mask = r.uvarint()
	if mask>>len(fields) != 0 {
		r.fail() // a field this client does not know
		return 0
	}
	for i := range fields {
		if mask&(1<<i) == 0 {
			continue
		}
		switch f := &fields[i]; {
		case f.str != nil && f.intern:
			*f.str(v) = r.interned()
		case f.str != nil:
			*f.str(v) = string(r.bytes())
		case f.num != nil:
			*f.num(v) = int(r.varint())
		case f.u64 != nil:
			*f.u64(v) = r.uvarint()
		case f.tm != nil:
			*f.tm(v) = r.time()
		default:
			if js := r.bytes(); r.err == nil {
				if err := json.Unmarshal(js, f.js(v)); err != nil {
					r.err = err
				}
			}
		}
	}
	return mask
}

// copyFields sets the fields of dst that mask names to src's.
func copyFields[T any](fields []field[T], mask uint64, dst, src *T) {
	for i := range fields {
		if mask&(1<<i) == 0 {
			continue
		}
		switch f := &fields[i]; {
		case f.str != nil:
			*f.str(dst) = *f.str(src)
		case f.num != nil:
			*f.num(dst) = *f.num(src)
		case f.u64 != nil:
			*f.u64(dst) = *f.u64(src)
		case f.tm != nil:
			*f.tm(dst) = *f.tm(src)
		default:
			reflect.ValueOf(f.js(dst)).Elem().Set(reflect.ValueOf(f.js(src)).Elem())
		}
	}
}
