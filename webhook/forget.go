package webhook

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// Scrub rewrites journaled webhook bodies without one customer's events,
// for `pageinbox forget`: the store knows where bodies are, this package
// knows what is in them. A body holds several customers' events; only
// theirs go.
//
// An event is theirs when its JSON names their PSID as a whole word
// anywhere (as sender, as the recipient of an echo, or in any other
// field): forgetting errs on the side of removing.
type Scrub struct {
	PageID string // "" for every Page
	PSID   string
	word   []byte
}

// NewScrub returns the scrubber of one customer. A PSID of the form
// "user_ref:REF" (a checkbox plugin's customer) is matched by REF.
func NewScrub(pageID, psid string) *Scrub {
	word := strings.TrimPrefix(psid, "user_ref:")
	return &Scrub{PageID: pageID, PSID: psid, word: []byte(word)}
}

// Mentions reports whether raw names the customer at all: the cheap
// first look, and the test for one raw event.
func (s *Scrub) Mentions(raw []byte) bool {
	if len(s.word) == 0 {
		return false
	}
	for i := 0; ; {
		j := bytes.Index(raw[i:], s.word)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(s.word)
		if (start == 0 || !wordByte(raw[start-1])) && (end == len(raw) || !wordByte(raw[end])) {
			return true
		}
		i = start + 1
	}
}

func wordByte(b byte) bool {
	return b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b == '_' || b == '-'
}

// ScrubBody returns body without the customer's events. keep is false
// when nothing of anyone else is left, or when the body names them but
// cannot be taken apart (it is not the JSON Meta sends): then the whole
// body must go. A body that does not name them comes back unchanged.
func (s *Scrub) ScrubBody(body []byte) (out []byte, keep bool) {
	if !s.Mentions(body) {
		return body, true
	}
	var top orderedObject
	if err := json.Unmarshal(body, &top); err != nil {
		return nil, false
	}
	left := 0
	for i := range top {
		if top[i].key != "entry" {
			continue
		}
		v, n, err := s.scrubEntries(top[i].value)
		if err != nil {
			return nil, false
		}
		top[i].value, left = v, left+n
	}
	out, err := marshalNoEscape(top)
	if err != nil || left == 0 || s.Mentions(out) {
		return nil, false // what still names them cannot be told apart
	}
	return out, true
}

// scrubEntries scrubs an "entry" array and counts the events left in it.
// Entries left without events are dropped.
func (s *Scrub) scrubEntries(raw json.RawMessage) (json.RawMessage, int, error) {
	var entries []orderedObject
	if err := json.Unmarshal(raw, &entries); err != nil {
		return nil, 0, err
	}
	kept := entries[:0]
	total := 0
	for _, e := range entries {
		if !s.entryOfPage(e) {
			kept = append(kept, e)
			total += countEvents(e)
			continue
		}
		n := 0
		for i := range e {
			switch e[i].key {
			case "messaging", "standby", "changes":
				v, left, err := s.scrubEvents(e[i].value)
				if err != nil {
					return nil, 0, err
				}
				e[i].value, n = v, n+left
			}
		}
		if n > 0 {
			kept = append(kept, e)
			total += n
		}
	}
	out, err := marshalNoEscape(kept)
	return out, total, err
}

// entryOfPage: with a Page given, only that Page's entries are scrubbed
// (PSIDs are per Page). An entry without an id might be any Page's.
func (s *Scrub) entryOfPage(e orderedObject) bool {
	if s.PageID == "" {
		return true
	}
	id := e.last("id")
	if id == nil {
		return true
	}
	var str string
	if json.Unmarshal(id, &str) == nil {
		return str == s.PageID
	}
	return string(bytes.TrimSpace(id)) == s.PageID
}

func (s *Scrub) scrubEvents(raw json.RawMessage) (json.RawMessage, int, error) {
	if string(bytes.TrimSpace(raw)) == "null" {
		return raw, 0, nil
	}
	var events []json.RawMessage
	if err := json.Unmarshal(raw, &events); err != nil {
		return nil, 0, err
	}
	kept := events[:0]
	for _, ev := range events {
		if !s.Mentions(ev) {
			kept = append(kept, ev)
		}
	}
	out, err := marshalNoEscape(kept)
	return out, len(kept), err
}

func countEvents(e orderedObject) int {
	n := 0
	for _, kv := range e {
		switch kv.key {
		case "messaging", "standby", "changes":
			var events []json.RawMessage
			if json.Unmarshal(kv.value, &events) == nil {
				n += len(events)
			}
		}
	}
	return n
}

// orderedObject is a JSON object with its members in order, repeated keys
// and all: Meta's parser reads every "messaging" of an entry, so a rewrite
// must keep every one.
type orderedObject []member

type member struct {
	key   string
	value json.RawMessage
}

func (o orderedObject) last(key string) json.RawMessage {
	for i := len(o) - 1; i >= 0; i-- {
		if o[i].key == key {
			return o[i].value
		}
	}
	return nil
}

func (o *orderedObject) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return fmt.Errorf("webhook: not a JSON object")
	}
	*o = (*o)[:0]
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		key, _ := t.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return err
		}
		*o = append(*o, member{key, v})
	}
	_, err := dec.Token()
	return err
}

func (o orderedObject) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := marshalNoEscape(m.key)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(m.value)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// marshalNoEscape is json.Marshal that leaves <, > and & as they were:
// the rewritten body reads as Meta wrote it.
func marshalNoEscape(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
