package daemon

import (
	"encoding/binary"
	"encoding/json"
	"errors"

	"github.com/hashicorp/golang-lru/v2/simplelru"

	"github.com/pageinbox/pageinbox/store"
)

// Lean "changes" frames (protocol 3): binary WebSocket messages, encoded
// once per batch, the same bytes for every client. A message or a
// conversation is a binary record (wire.go); a conversation that changes
// again is a record of the fields that changed since its last snapshot
// on the stream (its delta). The server forgets every base when a client
// attaches, so a client has the base of every delta it gets.
//
// The server keeps the last maxBases conversations sent, each in a
// numbered slot; a whole conversation names the slot it goes in, a delta
// the slot of its base, so a client finds it by index, not by key.
const maxBases = 4096

// The forms a change takes in a frame.
const (
	formJSON      = 0 // a store.Change as JSON text
	formMessage   = 1 // a message record
	formConv      = 2 // its slot, then a whole conversation record
	formConvDelta = 3 // the slot and seq of its base, then what changed
)

// convBase is the last snapshot of a conversation on the stream.
type convBase struct {
	seq  uint64
	slot int
	conv store.Conversation
}

// frameEncoder turns batches into "changes" frames; Server.Run's only.
type frameEncoder struct {
	bases *simplelru.LRU[store.ConvKey, *convBase]
}

func newFrameEncoder() *frameEncoder {
	bases, _ := simplelru.NewLRU[store.ConvKey, *convBase](maxBases, nil) // errs only for size <= 0
	return &frameEncoder{bases: bases}
}

// reset forgets every base: the next change of each conversation goes
// whole (a client just attached, or a frame never went out).
func (e *frameEncoder) reset() { e.bases.Purge() }

// remember keeps c as its key's base, in a free slot or the least
// recently used one.
func (e *frameEncoder) remember(seq uint64, c *store.Conversation) int {
	slot := e.bases.Len()
	if slot == maxBases {
		_, old, _ := e.bases.RemoveOldest()
		slot = old.slot
	}
	e.bases.Add(c.ConvKey, &convBase{seq: seq, slot: slot, conv: *c})
	return slot
}

// encode is the frame of one batch.
func (e *frameEncoder) encode(batch []store.Change) ([]byte, error) {
	// The count of changes, then each; about 256 bytes a change.
	b := binary.AppendUvarint(make([]byte, 0, 64+256*len(batch)), uint64(len(batch)))
	var err error
	for i := range batch {
		if b, err = e.appendChange(b, &batch[i]); err != nil {
			e.reset() // no client will have what this frame held
			return nil, err
		}
	}
	return b, nil
}

// resyncFrame tells every client to reload: what to send when a batch
// cannot be encoded.
func resyncFrame() []byte {
	b, _ := newFrameEncoder().encode([]store.Change{{Kind: store.Resync}})
	return b
}

func (e *frameEncoder) appendChange(b []byte, ch *store.Change) ([]byte, error) {
	b = appendString(binary.AppendUvarint(b, ch.Seq), string(ch.Kind))
	only := store.Change{Seq: ch.Seq, Kind: ch.Kind, Message: ch.Message, Conversation: ch.Conversation}
	switch {
	case *ch != only:
		// Anything else set: as JSON.
	case ch.Message != nil && ch.Conversation == nil:
		return appendRecord(append(b, formMessage), messageFields, ch.Message, nil, 0)
	case ch.Conversation != nil && ch.Message == nil && ch.Kind == store.ConversationUpdated:
		c := ch.Conversation
		base, ok := e.bases.Get(c.ConvKey)
		if !ok {
			slot := e.remember(ch.Seq, c)
			return appendRecord(binary.AppendUvarint(append(b, formConv), uint64(slot)), convFields, c, nil, convKeyFields)
		}
		b = binary.AppendUvarint(binary.AppendUvarint(append(b, formConvDelta), uint64(base.slot)), base.seq)
		b, err := appendRecord(b, convFields, c, &base.conv, 0)
		base.seq, base.conv = ch.Seq, *c
		return b, err
	}
	js, err := json.Marshal(ch)
	return appendString(append(b, formJSON), string(js)), err
}

// errNoBase: a delta came for a conversation the client has no snapshot
// of; the client starts over with a new connection (and a Resync).
var errNoBase = errors.New("a conversation delta without its base")

// frameDecoder rebuilds the store.Changes of "changes" frames; one per
// connection, used by its reader only.
type frameDecoder struct {
	bases []clientBase // by slot
	strs  map[string]string
	delta store.Conversation // scratch: a delta before it meets its base
}

// clientBase is a slot of the client's bases.
type clientBase struct {
	set  bool
	seq  uint64
	conv store.Conversation
}

func newFrameDecoder() *frameDecoder {
	return &frameDecoder{strs: map[string]string{}}
}

// slot is the base in slot n, growing the slots up to maxBases.
func (d *frameDecoder) slot(n uint64) *clientBase {
	if n >= maxBases {
		return nil
	}
	if int(n) >= len(d.bases) {
		d.bases = append(d.bases, make([]clientBase, int(n)+1-len(d.bases))...)
	}
	return &d.bases[n]
}

// decode appends the changes of frame to out.
func (d *frameDecoder) decode(frame []byte, out []store.Change) ([]store.Change, error) {
	r := &reader{b: frame, strs: d.strs}
	n := r.uvarint()
	if n > uint64(len(frame)) {
		return out, errShortFrame
	}
	for range n {
		ch := store.Change{Seq: r.uvarint(), Kind: store.ChangeKind(r.interned())}
		if err := d.body(r, &ch); err != nil {
			return out, err
		}
		out = append(out, ch)
	}
	if r.err == nil && len(r.b) != 0 {
		r.fail()
	}
	return out, r.err
}

func (d *frameDecoder) body(r *reader, ch *store.Change) error {
	switch form := r.byte(); form {
	case formJSON:
		if js := r.bytes(); r.err == nil {
			return json.Unmarshal(js, ch)
		}
	case formMessage:
		ch.Message = &store.Message{}
		readRecord(r, messageFields, ch.Message)
	case formConv:
		base := d.slot(r.uvarint())
		c := &store.Conversation{}
		readRecord(r, convFields, c)
		if base == nil {
			r.fail()
			break
		}
		*base = clientBase{set: true, seq: ch.Seq, conv: *c}
		ch.Conversation = c
	case formConvDelta:
		base, seq := d.slot(r.uvarint()), r.uvarint()
		d.delta = store.Conversation{}
		mask := readRecord(r, convFields, &d.delta)
		if r.err != nil {
			break
		}
		if base == nil || !base.set || base.seq != seq {
			return errNoBase
		}
		c := base.conv
		copyFields(convFields, mask, &c, &d.delta)
		base.seq, base.conv = ch.Seq, c
		ch.Conversation = &c
	default:
		r.fail()
	}
	return r.err
}
