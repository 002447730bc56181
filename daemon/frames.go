package daemon

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"

	"github.com/hashicorp/golang-lru/v2/simplelru"

	"github.com/pageinbox/pageinbox/store"
)

// Lean "changes" frames (protocol 3). A conversation that changes again
// goes out as the fields that changed since its last snapshot on the same
// stream (its delta), not whole: with every inbound message a conversation
// changes a few fields, and 50 clients decoding whole snapshots was where
// the CPU went. Every client reads the same bytes, encoded once per batch:
// the server forgets every base when a client attaches, so a client has
// the base of every delta it gets.

// Bases remembered: the server keeps serverBases conversations, a client
// twice as many. Both see the same conversations in the same order since
// the attach, and a least-recently-used cache holds a superset of what a
// smaller one holds on the same sequence, so the client never lacks a base
// the server uses; the base's seq is checked all the same.
const (
	serverBases = 4096
	clientBases = 2 * serverBases
)

// WireChange is a store.Change as a "changes" frame carries it. A
// conversation comes whole (Conversation) or as a delta of the snapshot
// of change Base: its key in PageID and PSID, Delta the fields that
// changed to a value that is not zero (as a Conversation would carry
// them), Zero the names of those that changed to zero.
type WireChange struct {
	store.Change
	Base  uint64              `json:"base,omitempty"`
	Delta *store.Conversation `json:"delta,omitempty"`
	Zero  []string            `json:"zero,omitempty"`
}

// wireOut is a WireChange as the server writes it: the delta holds only
// what changed, so a client decodes few fields.
type wireOut struct {
	store.Change
	Base  uint64         `json:"base,omitempty"`
	Delta map[string]any `json:"delta,omitzero"` // {} when only Zero changed
	Zero  []string       `json:"zero,omitempty"`
}

// changesFrame is a Frame of type "changes" as the server writes it.
type changesFrame struct {
	Type    string    `json:"type"`
	Changes []wireOut `json:"changes"`
}

// convBase is the last snapshot of a conversation on the stream.
type convBase struct {
	seq  uint64
	conv store.Conversation
}

// frameEncoder turns batches into "changes" frames; Server.Run's only.
type frameEncoder struct {
	bases *simplelru.LRU[store.ConvKey, *convBase]
}

func newFrameEncoder() *frameEncoder {
	bases, _ := simplelru.NewLRU[store.ConvKey, *convBase](serverBases, nil) // errs only for size <= 0
	return &frameEncoder{bases: bases}
}

// reset forgets every base: the next change of each conversation goes
// whole (a client just attached, or a frame never went out).
func (e *frameEncoder) reset() { e.bases.Purge() }

// encode is the frame of one batch, the same bytes for every client.
func (e *frameEncoder) encode(batch []store.Change) ([]byte, error) {
	wire := make([]wireOut, len(batch))
	for i, ch := range batch {
		wire[i] = e.wire(ch)
	}
	frame, err := json.Marshal(changesFrame{Type: "changes", Changes: wire})
	if err != nil {
		e.reset() // no client has what this frame held
	}
	return frame, err
}

func (e *frameEncoder) wire(ch store.Change) wireOut {
	c := ch.Conversation
	if ch.Kind != store.ConversationUpdated || c == nil {
		return wireOut{Change: ch}
	}
	base, ok := e.bases.Get(c.ConvKey)
	if !ok {
		e.bases.Add(c.ConvKey, &convBase{seq: ch.Seq, conv: *c})
		return wireOut{Change: ch}
	}
	delta, zero := convDelta(&base.conv, c)
	w := wireOut{Change: store.Change{Seq: ch.Seq, Kind: ch.Kind, PageID: c.PageID, PSID: c.PSID},
		Base: base.seq, Delta: delta, Zero: zero}
	base.seq, base.conv = ch.Seq, *c
	return w
}

// convField is a field of store.Conversation a delta may carry: all but
// the key, by their JSON names.
type convField struct {
	index int
	name  string
}

var convFields = func() []convField {
	t := reflect.TypeFor[store.Conversation]()
	var fields []convField
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.Anonymous || name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fields = append(fields, convField{index: i, name: name})
	}
	return fields
}()

// convDelta is what of to differs from from: the fields that are not
// zero in delta (by their JSON names), the names of those that became
// zero in zero.
func convDelta(from, to *store.Conversation) (delta map[string]any, zero []string) {
	delta = make(map[string]any, 8)
	fv, tv := reflect.ValueOf(from).Elem(), reflect.ValueOf(to).Elem()
	for _, f := range convFields {
		a, b := fv.Field(f.index), tv.Field(f.index)
		switch {
		case reflect.DeepEqual(a.Interface(), b.Interface()):
		case b.IsZero():
			zero = append(zero, f.name)
		default:
			delta[f.name] = b.Interface()
		}
	}
	return delta, zero
}

// applyDelta makes the conversation a delta of base describes.
func applyDelta(base, delta *store.Conversation, zero []string) store.Conversation {
	out := *base
	ov, dv := reflect.ValueOf(&out).Elem(), reflect.ValueOf(delta).Elem()
	for _, f := range convFields {
		if d := dv.Field(f.index); !d.IsZero() {
			ov.Field(f.index).Set(d)
		}
	}
	for _, name := range zero {
		for _, f := range convFields {
			if f.name == name {
				ov.Field(f.index).SetZero()
			}
		}
	}
	return out
}

// errNoBase: a delta came for a conversation the client has no snapshot
// of; the client starts over with a new connection (and a Resync).
var errNoBase = errors.New("a conversation delta without its base")

// frameDecoder rebuilds the store.Changes of "changes" frames; one per
// connection, used by its reader only.
type frameDecoder struct {
	bases *simplelru.LRU[store.ConvKey, *convBase]
}

func newFrameDecoder() *frameDecoder {
	bases, _ := simplelru.NewLRU[store.ConvKey, *convBase](clientBases, nil)
	return &frameDecoder{bases: bases}
}

// change is the store.Change w stands for.
func (d *frameDecoder) change(w *WireChange) (store.Change, error) {
	ch := w.Change
	if ch.Kind != store.ConversationUpdated {
		return ch, nil
	}
	if w.Delta == nil {
		if ch.Conversation != nil {
			d.bases.Add(ch.Conversation.ConvKey, &convBase{seq: ch.Seq, conv: *ch.Conversation})
		}
		return ch, nil
	}
	key := store.ConvKey{PageID: ch.PageID, PSID: ch.PSID}
	base, ok := d.bases.Get(key)
	if !ok || base.seq != w.Base {
		return ch, errNoBase
	}
	conv := applyDelta(&base.conv, w.Delta, w.Zero)
	conv.ConvKey = key
	base.seq, base.conv = ch.Seq, conv
	return store.Change{Seq: ch.Seq, Kind: ch.Kind, Conversation: &conv}, nil
}
