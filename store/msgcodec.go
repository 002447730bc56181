package store

import (
	"encoding/binary"
	"fmt"
	"math"

	bolt "go.etcd.io/bbolt"
)

// Message records (bucket msgs) are binary since schema 7, like the
// conversation records (convcodec.go): every inbound event writes one on
// the writer's path, and a smaller record means smaller B-tree nodes to
// read, split and write in each batch.
//
// Layout: the byte msgFormat2, the key of the thread's message before
// this one (8 bytes, big-endian; 0 for the first: see chain.go), then the
// fields in the order of appendMessage. Format 1 (schema 7) had no prev
// and is only read, by the migration. The id is not stored: it is the key
// as a token (messageID), so it is given back from the key. Attachments
// and reactions are a count, then each as a length-prefixed sub-record, so
// that either can gain a field at its end too.
const (
	msgFormat1 = 0x01
	msgFormat2 = 0x02
	msgPrevEnd = 9 // the format byte and prev
)

// appendMessage appends m's binary record to dst with prev 0 (setPrev
// links it); m.ID is not part of it.
func appendMessage(dst []byte, m *Message) []byte {
	dst = append(dst, msgFormat2, 0, 0, 0, 0, 0, 0, 0, 0)
	dst = appendString(dst, m.PageID)
	dst = appendString(dst, m.PSID)
	dst = appendString(dst, m.MID)
	dst = appendString(dst, string(m.Direction))
	dst = appendString(dst, m.Kind)
	dst = appendString(dst, m.Text)
	dst = binary.AppendUvarint(dst, uint64(len(m.Attachments)))
	for i := range m.Attachments {
		dst = appendSub(dst, func(b []byte) []byte { return appendAttachment(b, &m.Attachments[i]) })
	}
	dst = appendString(dst, m.QuickReply)
	dst = appendString(dst, m.Payload)
	dst = appendString(dst, m.ReplyTo)
	dst = binary.AppendUvarint(dst, uint64(len(m.Reactions)))
	for i := range m.Reactions {
		dst = appendSub(dst, func(b []byte) []byte { return appendReaction(b, &m.Reactions[i]) })
	}
	dst = appendTime(dst, m.Time)
	dst = appendString(dst, string(m.Status))
	dst = appendString(dst, m.Error)
	dst = appendString(dst, m.AppID)
	dst = binary.AppendVarint(dst, int64(m.Edits))
	dst = binary.AppendUvarint(dst, m.CampaignID)
	dst = appendString(dst, m.Agent)
	dst = appendString(dst, m.Template)
	dst = binary.AppendUvarint(dst, m.OutboxID)
	return dst
}

func appendAttachment(dst []byte, a *Attachment) []byte {
	dst = appendString(dst, a.Type)
	dst = appendString(dst, a.URL)
	dst = appendString(dst, a.Title)
	dst = appendString(dst, a.StickerID)
	dst = binary.BigEndian.AppendUint64(dst, math.Float64bits(a.Lat))
	dst = binary.BigEndian.AppendUint64(dst, math.Float64bits(a.Long))
	dst = appendString(dst, a.AttachmentID)
	dst = appendString(dst, a.Name)
	dst = binary.AppendVarint(dst, a.Size)
	dst = binary.AppendVarint(dst, a.DurationMS)
	return dst
}

func appendReaction(dst []byte, r *Reaction) []byte {
	dst = appendString(dst, r.From)
	dst = appendString(dst, r.Reaction)
	dst = appendString(dst, r.Emoji)
	dst = appendTime(dst, r.Time)
	return dst
}

// appendSub appends a sub-record: its length, then what fill appends.
func appendSub(dst []byte, fill func([]byte) []byte) []byte {
	sub := fill(nil)
	dst = binary.AppendUvarint(dst, uint64(len(sub)))
	return append(dst, sub...)
}

// msgPrev is the key of the message before v's in its thread, 0 for none.
func msgPrev(v []byte) uint64 {
	if len(v) < msgPrevEnd || v[0] != msgFormat2 {
		return 0
	}
	return binary.BigEndian.Uint64(v[1:msgPrevEnd])
}

// setPrev links the record v (appendMessage's, owned by the caller) after
// the message prev.
func setPrev(v []byte, prev uint64) { binary.BigEndian.PutUint64(v[1:msgPrevEnd], prev) }

// withPrev is a copy of the stored record v linked after prev.
func withPrev(v []byte, prev uint64) []byte {
	out := append([]byte(nil), v...)
	setPrev(out, prev)
	return out
}

// decodeMessage reads a record appendMessage wrote under key (or, for the
// migration, a format 1 record under its schema 7 key).
func decodeMessage(key, v []byte, m *Message) error {
	var d *decoder
	switch {
	case len(v) >= msgPrevEnd && v[0] == msgFormat2:
		d = &decoder{b: v[msgPrevEnd:]}
	case len(v) > 0 && v[0] == msgFormat1:
		d = &decoder{b: v[1:]}
	default:
		return fmt.Errorf("%w: message record is not format %d", errDamaged, msgFormat2)
	}
	*m = Message{ID: messageID(key)}
	m.PageID = d.string()
	m.PSID = d.string()
	m.MID = d.string()
	m.Direction = Direction(d.string())
	m.Kind = d.string()
	m.Text = d.string()
	if n := d.count(); n > 0 {
		m.Attachments = make([]Attachment, n)
		for i := range m.Attachments {
			d.sub(func(s *decoder) { s.attachment(&m.Attachments[i]) })
		}
	}
	m.QuickReply = d.string()
	m.Payload = d.string()
	m.ReplyTo = d.string()
	if n := d.count(); n > 0 {
		m.Reactions = make([]Reaction, n)
		for i := range m.Reactions {
			d.sub(func(s *decoder) { s.reaction(&m.Reactions[i]) })
		}
	}
	m.Time = d.time()
	m.Status = Status(d.string())
	m.Error = d.string()
	m.AppID = d.string()
	m.Edits = int(d.varint())
	m.CampaignID = d.uvarint()
	m.Agent = d.string()
	m.Template = d.string()
	m.OutboxID = d.uvarint()
	return d.err
}

func (d *decoder) attachment(a *Attachment) {
	a.Type = d.string()
	a.URL = d.string()
	a.Title = d.string()
	a.StickerID = d.string()
	a.Lat = math.Float64frombits(d.uint64())
	a.Long = math.Float64frombits(d.uint64())
	a.AttachmentID = d.string()
	a.Name = d.string()
	a.Size = d.varint()
	a.DurationMS = d.varint()
}

func (d *decoder) reaction(r *Reaction) {
	r.From = d.string()
	r.Reaction = d.string()
	r.Emoji = d.string()
	r.Time = d.time()
}

// count is the number of sub-records that follow; each takes a byte at
// least, so a count larger than what is left is damage.
func (d *decoder) count() int {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.fail()
		return 0
	}
	return int(n)
}

// sub reads one length-prefixed sub-record with read.
func (d *decoder) sub(read func(*decoder)) {
	n := d.inner(func() int64 { return int64(d.uvarint()) })
	if d.err != nil || n < 0 || n > int64(len(d.b)) {
		d.fail()
		return
	}
	s := &decoder{b: d.b[:n]}
	d.b = d.b[n:]
	read(s)
	if s.err != nil {
		d.fail()
	}
}

func (d *decoder) uint64() uint64 {
	if len(d.b) == 0 {
		return 0
	}
	if len(d.b) < 8 {
		d.fail()
		return 0
	}
	v := binary.BigEndian.Uint64(d.b)
	d.b = d.b[8:]
	return v
}

// getMessage reads the message at key; found is false when there is none.
func getMessage(b *bolt.Bucket, key []byte, m *Message) (found bool, err error) {
	v := b.Get(key)
	if v == nil {
		return false, nil
	}
	if err := decodeMessage(key, v, m); err != nil {
		return true, fmt.Errorf("store: damaged record %x in %s: %w", key, b.String(), err)
	}
	return true, nil
}

// putMessageRecord stores m again at key, in the same place of its thread.
func putMessageRecord(b *bolt.Bucket, key []byte, m *Message) error {
	v := appendMessage(make([]byte, 0, 96+len(m.Text)), m)
	setPrev(v, msgPrev(b.Get(key)))
	return b.Put(key, v)
}
