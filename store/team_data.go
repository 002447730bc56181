package store

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"hash/fnv"
	"strings"
	"time"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"
)

// Label is one of a Page's labels. MetaID is the Page custom label's id
// at Meta once it is shared with Meta's Page Inbox ("" while local).
type Label struct {
	PageID string `json:"page_id"`
	Name   string `json:"name"`
	Color  string `json:"color"` // "#rrggbb"
	MetaID string `json:"meta_id,omitempty"`
}

// Note is an agent's private note in a thread: never sent to Meta.
type Note struct {
	ConvKey
	Author string    `json:"author"`
	Time   time.Time `json:"time"`
	Text   string    `json:"text"`
}

// SavedReply is a Page's reply kept under a shortcut. Its text may hold
// {first_name}, {agent} and {page} (FillReply).
type SavedReply struct {
	PageID   string    `json:"page_id"`
	Shortcut string    `json:"shortcut"`
	Text     string    `json:"text"`
	Author   string    `json:"author,omitempty"`
	Updated  time.Time `json:"updated"`
}

// labelColors are the colours new labels take, by the hash of their name.
var labelColors = []string{"#e5484d", "#f76b15", "#ffc53d", "#46a758", "#12a594", "#0090ff", "#8e4ec6", "#d6409f"}

func labelColor(name string) string {
	h := fnv.New32a()
	h.Write([]byte(name))
	return labelColors[h.Sum32()%uint32(len(labelColors))]
}

// ensureLabel creates a Page's label if it has none of that name.
func (w *wtx) ensureLabel(pageID, name string) error {
	b := w.bucket(bLabels)
	if b.Get(nameKey(pageID, name)) != nil {
		return nil
	}
	l := Label{PageID: pageID, Name: name, Color: labelColor(name)}
	if err := putJSON(b, nameKey(pageID, name), &l); err != nil {
		return err
	}
	w.emit(Change{Kind: LabelsChanged, PageID: pageID})
	return nil
}

// PutLabel creates or changes a Page's label (colour, MetaID). An empty
// colour keeps the one it has, or picks one.
func (s *Store) PutLabel(ctx context.Context, l Label) (Label, error) {
	if err := checkName("label", l.Name); err != nil {
		return l, err
	}
	if l.Color != "" && (len(l.Color) != 7 || l.Color[0] != '#') {
		return l, invalidf("label colour %q (#rrggbb)", l.Color)
	}
	err := s.write(ctx, 1, func(w *wtx) error {
		if w.bucket(bPages).Get([]byte(l.PageID)) == nil {
			return ErrUnknownPage
		}
		b := w.bucket(bLabels)
		var old Label
		if _, err := getJSON(b, nameKey(l.PageID, l.Name), &old); err != nil {
			return err
		}
		if l.Color == "" {
			l.Color = cmp.Or(old.Color, labelColor(l.Name))
		}
		w.emit(Change{Kind: LabelsChanged, PageID: l.PageID})
		return putJSON(b, nameKey(l.PageID, l.Name), &l)
	})
	return l, err
}

// Labels lists a Page's labels by name.
func (s *Store) Labels(ctx context.Context, pageID string) ([]Label, error) {
	var out []Label
	err := s.view(ctx, func(tx *bolt.Tx) error {
		return eachNamed(tx.Bucket(bLabels), pageID, func(v []byte) error {
			var l Label
			err := json.Unmarshal(v, &l)
			out = append(out, l)
			return err
		})
	})
	return out, err
}

// eachNamed calls fn with every record of a Page in a nameKey bucket.
func eachNamed(b *bolt.Bucket, pageID string, fn func(v []byte) error) error {
	prefix := namePrefix(pageID)
	c := b.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if err := fn(v); err != nil {
			return err
		}
	}
	return nil
}

// AddNote keeps a private note in a conversation's thread.
func (s *Store) AddNote(ctx context.Context, key ConvKey, author, text string) (Note, error) {
	n := Note{ConvKey: key, Author: author, Time: s.now(), Text: text}
	if strings.TrimSpace(text) == "" || len(text) > 16<<10 || !utf8.ValidString(text) {
		return n, invalidf("note: empty, too long (16 KB) or not UTF-8")
	}
	err := s.write(ctx, 1, func(w *wtx) error {
		rec, _, err := w.conv(key, false)
		if err != nil {
			return err
		}
		b := w.bucket(bNotes)
		seq, err := b.NextSequence()
		if err != nil {
			return err
		}
		cp := n
		w.emit(Change{Kind: NoteAdded, Note: &cp})
		return putJSON(b, threadKey(rec.CID, n.Time, seq), &n)
	})
	return n, err
}

// Notes reads a conversation's notes, oldest first.
func (s *Store) Notes(ctx context.Context, key ConvKey) ([]Note, error) {
	var out []Note
	err := s.view(ctx, func(tx *bolt.Tx) error {
		rec := &convRecord{}
		found, err := getConv(tx.Bucket(bConvs), convKeyBytes(key), rec)
		if err != nil || !found {
			return err
		}
		prefix := threadPrefix(rec.CID)
		c := tx.Bucket(bNotes).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			var n Note
			if err := json.Unmarshal(v, &n); err != nil {
				return err
			}
			out = append(out, n)
		}
		return nil
	})
	return out, err
}

// SaveReply keeps a saved reply under its shortcut, replacing one there.
func (s *Store) SaveReply(ctx context.Context, r SavedReply) (SavedReply, error) {
	if err := checkName("shortcut", r.Shortcut); err != nil || strings.ContainsAny(r.Shortcut, " \t\n") {
		return r, invalidf("shortcut %q: one word", r.Shortcut)
	}
	if err := CheckText(r.Text, ""); err != nil {
		return r, err
	}
	r.Updated = s.now()
	err := s.write(ctx, 1, func(w *wtx) error {
		if w.bucket(bPages).Get([]byte(r.PageID)) == nil {
			return ErrUnknownPage
		}
		w.emit(Change{Kind: RepliesChanged, PageID: r.PageID})
		return putJSON(w.bucket(bReplies), nameKey(r.PageID, r.Shortcut), &r)
	})
	return r, err
}

// DeleteReply removes a saved reply; ErrNotFound if there is none.
func (s *Store) DeleteReply(ctx context.Context, pageID, shortcut string) error {
	return s.write(ctx, 1, func(w *wtx) error {
		b := w.bucket(bReplies)
		if b.Get(nameKey(pageID, shortcut)) == nil {
			return &notFoundError{what: "saved reply " + shortcut}
		}
		w.emit(Change{Kind: RepliesChanged, PageID: pageID})
		return b.Delete(nameKey(pageID, shortcut))
	})
}

// Replies lists a Page's saved replies by shortcut.
func (s *Store) Replies(ctx context.Context, pageID string) ([]SavedReply, error) {
	var out []SavedReply
	err := s.view(ctx, func(tx *bolt.Tx) error {
		return eachNamed(tx.Bucket(bReplies), pageID, func(v []byte) error {
			var r SavedReply
			err := json.Unmarshal(v, &r)
			out = append(out, r)
			return err
		})
	})
	return out, err
}

// FillReply puts the customer's first name, the agent's and the Page's
// name into a saved reply's text.
func FillReply(text, customerName, agent, page string) string {
	return FillFirstName(strings.NewReplacer("{agent}", agent, "{page}", page).Replace(text), customerName)
}

// FillFirstName fills a saved reply's {first_name} with the first word of
// the customer's name.
func FillFirstName(text, customerName string) string {
	first, _, _ := strings.Cut(strings.TrimSpace(customerName), " ")
	return strings.ReplaceAll(text, "{first_name}", first)
}
