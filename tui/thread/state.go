package thread

import "github.com/pageinbox/pageinbox/store"

func (m *Model) setPage(p store.ThreadPage, older bool) {
	m.loaded, m.loading = true, false
	if older {
		m.msgs = append(append([]store.Message(nil), p.Messages...), m.msgs...)
	} else {
		m.msgs = p.Messages
		m.scroll = 0
	}
	m.before = p.Before
	m.reindex()
	m.redraw()
}

func (m *Model) reindex() {
	clear(m.byID)
	clear(m.byMID)
	for i, msg := range m.msgs {
		m.byID[msg.ID] = i
		if msg.MID != "" {
			m.byMID[msg.MID] = i
		}
	}
}

// Apply takes a message change; one for another thread is ignored.
func (m *Model) Apply(kind store.ChangeKind, msg store.Message) {
	if m.apply(kind, msg) {
		m.redraw()
	}
}

// ApplyAll takes a burst of message changes, drawing once for them all.
func (m *Model) ApplyAll(changes []store.Change) {
	applied := false
	for _, ch := range changes {
		applied = m.apply(ch.Kind, *ch.Message) || applied
	}
	if applied {
		m.redraw()
	}
}

// apply folds a message change of this thread into msgs; false: nothing
// to draw anew.
func (m *Model) apply(kind store.ChangeKind, msg store.Message) bool {
	if !m.open || msg.ConvKey != m.key || !m.loaded {
		return false
	}
	i, ok := m.byID[msg.ID]
	switch {
	case kind == store.MessageRemoved:
		if !ok {
			return false
		}
		m.msgs = append(m.msgs[:i], m.msgs[i+1:]...)
		m.reindex()
	case ok:
		m.msgs[i] = msg
	default:
		// Usually the newest; a late arrival slots in by time.
		pos := len(m.msgs)
		for pos > 0 && m.msgs[pos-1].Time.After(msg.Time) {
			pos--
		}
		m.msgs = append(m.msgs, store.Message{})
		copy(m.msgs[pos+1:], m.msgs[pos:])
		m.msgs[pos] = msg
		m.reindex()
	}
	return true
}

// SetConversation takes a newer state of the open conversation (its
// window, its name).
func (m *Model) SetConversation(c store.Conversation) {
	if m.open && c.ConvKey == m.key {
		m.conv = c
	}
}

// SetHeld says whether sending is stopped, which queued replies show.
func (m *Model) SetHeld(held bool) {
	if held != m.held {
		m.held = held
		m.redraw()
	}
}

// SetPresence takes who is in a conversation, as the others announced.
func (m *Model) SetPresence(p store.Presence) { m.presence[p.Key] = p.Agents }

// ClearPresence forgets who was where (changes were missed).
func (m *Model) ClearPresence() { clear(m.presence) }

func (m *Model) Key() store.ConvKey               { return m.key }
func (m *Model) IsOpen() bool                     { return m.open }
func (m *Model) Conversation() store.Conversation { return m.conv }
func (m *Model) Messages() []store.Message        { return m.msgs }
func (m *Model) Loaded() bool                     { return m.loaded }

// Before is where older history starts; "" when it is all loaded.
func (m *Model) Before() store.Cursor { return m.before }

// LastUnknown is the newest message of ours that may or may not have
// arrived and can be sent again (r), if any.
func (m *Model) LastUnknown() (store.Message, bool) {
	for i := len(m.msgs) - 1; i >= 0; i-- {
		if msg := m.msgs[i]; msg.Direction == store.Out && msg.Status == store.StatusUnknown && msg.OutboxID != 0 {
			return msg, true
		}
	}
	return store.Message{}, false
}
