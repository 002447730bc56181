package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Conversation records (bucket convs) are the writer's hottest value: every
// batch rewrites one per conversation it touched. Since schema 7 they are a
// compact binary record instead of JSON, which cost the single writer
// goroutine a reflective encode per conversation per batch and made the
// bucket about three times larger (more pages dirtied per commit).
//
// Layout: the byte convFormat1, then every field of convRecord in the order
// of appendConv: integers as varints, strings as a uvarint length and the
// bytes, times as in appendTime. A JSON record starts with '{', so the two
// can never be confused. A field is added at the end: a record written
// before it ends earlier and decodes with the field zero, no migration.
const convFormat1 = 0x01

// errDamaged is a record that cannot be decoded.
var errDamaged = errors.New("damaged record")

// appendConv appends r's binary record to dst.
func appendConv(dst []byte, r *convRecord) []byte {
	dst = append(dst, convFormat1)
	dst = binary.AppendUvarint(dst, r.CID)
	dst = appendString(dst, r.PageID)
	dst = appendString(dst, r.PSID)
	dst = appendString(dst, r.Name)
	dst = appendString(dst, r.LastMessage)
	dst = appendString(dst, string(r.LastDirection))
	dst = appendTime(dst, r.LastMessageTime)
	dst = appendTime(dst, r.LastInboundTime)
	dst = binary.AppendVarint(dst, int64(r.Unread))
	dst = binary.AppendVarint(dst, int64(r.MessageCount))
	dst = appendString(dst, string(r.Status))
	dst = appendTime(dst, r.SnoozedUntil)
	dst = appendString(dst, r.Assignee)
	dst = appendString(dst, string(r.Labels))
	dst = appendTime(dst, r.DeliveredUpTo)
	dst = appendTime(dst, r.ReadUpTo)
	dst = appendTime(dst, r.LastActivity)
	dst = appendString(dst, r.Blocked)
	dst = appendTime(dst, r.BlockedAt)
	dst = binary.AppendUvarint(dst, r.Newest)
	dst = binary.AppendUvarint(dst, r.Oldest)
	return dst
}

// decodeConv reads a record appendConv wrote.
func decodeConv(v []byte, r *convRecord) error {
	if len(v) == 0 || v[0] != convFormat1 {
		return fmt.Errorf("%w: conversation record is not format %d", errDamaged, convFormat1)
	}
	d := &decoder{b: v[1:]}
	*r = convRecord{}
	r.CID = d.uvarint()
	r.PageID = d.string()
	r.PSID = d.string()
	r.Name = d.string()
	r.LastMessage = d.string()
	r.LastDirection = Direction(d.string())
	r.LastMessageTime = d.time()
	r.LastInboundTime = d.time()
	r.Unread = int(d.varint())
	r.MessageCount = int(d.varint())
	r.Status = ConvStatus(d.string())
	r.SnoozedUntil = d.time()
	r.Assignee = d.string()
	r.Labels = LabelSet(d.string())
	r.DeliveredUpTo = d.time()
	r.ReadUpTo = d.time()
	r.LastActivity = d.time()
	r.Blocked = d.string()
	r.BlockedAt = d.time()
	r.Newest = d.uvarint()
	r.Oldest = d.uvarint()
	return d.err
}

// getConv reads the conversation record at key; found is false when there
// is none.
func getConv(b *bolt.Bucket, key []byte, r *convRecord) (found bool, err error) {
	v := b.Get(key)
	if v == nil {
		return false, nil
	}
	if err := decodeConv(v, r); err != nil {
		return true, fmt.Errorf("store: damaged record %x in %s: %w", key, b.String(), err)
	}
	return true, nil
}

func putConv(b *bolt.Bucket, key []byte, r *convRecord) error {
	return b.Put(key, appendConv(make([]byte, 0, 160+len(r.LastMessage)), r))
}

func appendString(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

// Time kinds: the zero time is one byte; any other is its Unix seconds and
// nanoseconds, and the zone offset unless it is UTC. decoder.time gives the
// location back as encoding/json (time.Parse) did for the JSON records, so
// a record reads the same in either layout.
const (
	timeZero   = 0
	timeUTC    = 1
	timeOffset = 2
)

func appendTime(dst []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(dst, timeZero)
	}
	_, off := t.Zone()
	if off == 0 {
		dst = append(dst, timeUTC)
	} else {
		dst = append(dst, timeOffset)
		dst = binary.AppendVarint(dst, int64(off))
	}
	dst = binary.AppendVarint(dst, t.Unix())
	return binary.AppendUvarint(dst, uint64(t.Nanosecond()))
}

// decoder reads a binary record. A record that ends before a field reads
// the field as zero (it was added later); a record cut inside a field, or
// with an unknown time kind, is damaged. The first error sticks.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail() {
	if d.err == nil {
		d.err = fmt.Errorf("%w: truncated or malformed field", errDamaged)
	}
	d.b = nil
}

func (d *decoder) uvarint() uint64 {
	if len(d.b) == 0 {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	if len(d.b) == 0 {
		return 0
	}
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

// inner reads a part of a field: the record must not end before it.
func (d *decoder) inner(read func() int64) int64 {
	if len(d.b) == 0 {
		d.fail()
		return 0
	}
	return read()
}

func (d *decoder) string() string {
	if len(d.b) == 0 {
		return ""
	}
	n := d.uvarint()
	if d.err != nil || n > uint64(len(d.b)) {
		d.fail()
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

func (d *decoder) time() time.Time {
	if len(d.b) == 0 {
		return time.Time{}
	}
	kind := d.b[0]
	d.b = d.b[1:]
	var off int64
	switch kind {
	case timeZero:
		return time.Time{}
	case timeUTC:
	case timeOffset:
		off = d.inner(d.varint)
	default:
		d.fail()
		return time.Time{}
	}
	sec := d.inner(d.varint)
	nsec := d.inner(func() int64 { return int64(d.uvarint()) })
	if d.err != nil || nsec < 0 || nsec >= 1e9 || off < -24*3600 || off > 24*3600 {
		d.fail()
		return time.Time{}
	}
	t := time.Unix(sec, int64(nsec))
	if off == 0 {
		return t.UTC()
	}
	if _, local := t.In(time.Local).Zone(); int64(local) == off {
		return t.In(time.Local)
	}
	return t.In(time.FixedZone("", int(off)))
}
