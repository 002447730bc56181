package store

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"time"
)

// exportTime is RFC 3339 in UTC with milliseconds, the precision of Meta's
// timestamps.
const exportTime = "2006-01-02T15:04:05.000Z07:00"

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(exportTime)
}

type exportAttachment struct {
	Type         string `json:"type"`
	URL          string `json:"url,omitempty"`
	AttachmentID string `json:"attachment_id,omitempty"` // our upload, sent by id
}

type exportMessage struct {
	PageID      string             `json:"page_id"`
	PSID        string             `json:"psid"`
	MID         string             `json:"mid"`
	Direction   Direction          `json:"direction"`
	Text        string             `json:"text"`
	Attachments []exportAttachment `json:"attachments"`
	Time        string             `json:"time"`
	Status      Status             `json:"status"`
	Error       string             `json:"error,omitempty"`
	// Agent and CampaignID say who sent an outbound message of ours: an
	// agent's reply, or a campaign. Absent on everything else, so rows
	// without them read as before.
	Agent      string `json:"agent,omitempty"`
	CampaignID uint64 `json:"campaign_id,omitempty"`
	// Template is the Utility template a message of ours was sent as.
	Template string `json:"template,omitempty"`
}

type exportConversation struct {
	PageID          string     `json:"page_id"`
	PSID            string     `json:"psid"`
	Name            string     `json:"name"`
	LastMessage     string     `json:"last_message"`
	LastMessageTime string     `json:"last_message_time"`
	LastInboundTime string     `json:"last_inbound_time"`
	WindowExpiresAt string     `json:"window_expires_at"`
	Status          ConvStatus `json:"status"`
	Unread          int        `json:"unread"`
	MessageCount    int        `json:"message_count"`
}

// Export writes JSON Lines: one line per message, thread by thread and
// oldest first, or with conversations one line per conversation. Drafts and
// anything else private to the agent stay out.
func (s *Store) Export(ctx context.Context, w io.Writer, conversations bool) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	var err error
	if conversations {
		err = s.EachConversation(ctx, func(c Conversation) error {
			expires := ""
			if !c.LastInboundTime.IsZero() {
				expires = formatTime(c.LastInboundTime.Add(ResponseWindow))
			}
			return enc.Encode(exportConversation{PageID: c.PageID, PSID: c.PSID, Name: c.Name,
				LastMessage: c.LastMessage, LastMessageTime: formatTime(c.LastMessageTime),
				LastInboundTime: formatTime(c.LastInboundTime), WindowExpiresAt: expires,
				Status: exportStatus(c.Status), Unread: c.Unread, MessageCount: c.MessageCount})
		})
	} else {
		err = s.EachMessage(ctx, func(m Message) error {
			atts := make([]exportAttachment, 0, len(m.Attachments))
			for _, a := range m.Attachments {
				atts = append(atts, exportAttachment{Type: a.Type, URL: a.URL, AttachmentID: a.AttachmentID})
			}
			e := exportMessage{PageID: m.PageID, PSID: m.PSID, MID: m.MID, Direction: m.Direction,
				Text: m.Text, Attachments: atts, Time: formatTime(m.Time), Status: m.Status,
				Agent: m.Agent, CampaignID: m.CampaignID, Template: m.Template}
			if m.Status == StatusFailed || m.Status == StatusUnknown {
				e.Error = m.Error
			}
			return enc.Encode(e)
		})
	}
	if err != nil {
		return err
	}
	return bw.Flush()
}

// exportStatus keeps plain export as it was: an open conversation is
// "active" there.
func exportStatus(st ConvStatus) ConvStatus {
	if st == ConvOpen {
		return "active"
	}
	return st
}
