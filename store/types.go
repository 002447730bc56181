package store

import "time"

// Direction says who wrote a message.
type Direction string

const (
	In  Direction = "in"  // from the customer to the Page
	Out Direction = "out" // from the Page (us, another app, or a human in Meta's inbox)
)

// Status is where a message is in its life. Outbound statuses only move
// forward (see rank); inbound messages are always StatusReceived.
type Status string

const (
	StatusReceived  Status = "received"
	StatusQueued    Status = "queued"
	StatusSending   Status = "sending"
	StatusSent      Status = "sent"
	StatusDelivered Status = "delivered"
	StatusRead      Status = "read"
	StatusFailed    Status = "failed"
	// StatusUnknown: Meta may or may not have the message: the process died
	// while it was in flight, or Meta's answer did not prove a refusal (a
	// 502 from an edge, a cut, a timeout). Its echo settles it as sent;
	// otherwise it is never resent on its own, save once (see
	// Store.SweepUnechoed).
	StatusUnknown Status = "unknown"
)

// rank orders outbound statuses so watermarks and echoes only move them forward.
func (s Status) rank() int {
	switch s {
	case StatusQueued:
		return 1
	case StatusSending:
		return 2
	case StatusUnknown:
		return 3
	case StatusSent:
		return 4
	case StatusDelivered:
		return 5
	case StatusRead:
		return 6
	}
	return 0
}

// ConvStatus is the agent's triage state of a conversation: open,
// snoozed (until SnoozedUntil) or done. A customer's message reopens a
// snoozed or done conversation; a snooze also wakes at its time (WakeDue).
type ConvStatus string

const (
	ConvOpen    ConvStatus = "open"
	ConvSnoozed ConvStatus = "snoozed"
	ConvDone    ConvStatus = "done"
	// ConvActive is ConvOpen under its name before snoozes (schema 4
	// stored "active"; statusOf still reads it).
	ConvActive = ConvOpen
)

// Page is a Facebook Page the inbox serves.
type Page struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}

// Attachment is a media item or share carried by a message.
type Attachment struct {
	Type      string  `json:"type"` // image, video, audio, file, sticker, location, fallback, template, ...
	URL       string  `json:"url,omitempty"`
	Title     string  `json:"title,omitempty"`
	StickerID string  `json:"sticker_id,omitempty"`
	Lat       float64 `json:"lat,omitempty"`
	Long      float64 `json:"long,omitempty"`

	// AttachmentID: our own send of an uploaded file (no URL until Meta's
	// echo gives one).
	AttachmentID string `json:"attachment_id,omitempty"`
}

// Reaction is one person's reaction to a message.
type Reaction struct {
	From     string    `json:"from"` // PSID or page id
	Reaction string    `json:"reaction"`
	Emoji    string    `json:"emoji,omitempty"`
	Time     time.Time `json:"time"`
}

// ConvKey names a conversation: PSIDs are scoped to a Page.
type ConvKey struct {
	PageID string `json:"page_id"`
	PSID   string `json:"psid"`
}

func (k ConvKey) String() string { return k.PageID + "/" + k.PSID }

// Conversation is the summary row of one customer's thread with a Page.
type Conversation struct {
	ConvKey
	Name            string     `json:"name,omitempty"`
	LastMessage     string     `json:"last_message,omitempty"`
	LastDirection   Direction  `json:"last_direction,omitempty"` // who wrote the last message
	LastMessageTime time.Time  `json:"last_message_time,omitzero"`
	LastInboundTime time.Time  `json:"last_inbound_time,omitzero"` // drives the messaging window
	Unread          int        `json:"unread"`
	MessageCount    int        `json:"message_count"`
	Status          ConvStatus `json:"status"`
	SnoozedUntil    time.Time  `json:"snoozed_until,omitzero"` // when Status is ConvSnoozed
	// Assignee is the agent who answers the conversation, "" for nobody.
	Assignee string `json:"assignee,omitempty"`
	// Labels are the names of the Page's labels the conversation carries,
	// sorted.
	Labels LabelSet `json:"labels,omitempty"`

	// Watermarks (ms resolution) from delivery and read events. Kept so a
	// message that becomes known after its watermark still gets its status.
	DeliveredUpTo time.Time `json:"delivered_up_to,omitzero"`
	ReadUpTo      time.Time `json:"read_up_to,omitzero"`

	// LastActivity is when anything last happened in the conversation: the
	// order of the inbox.
	LastActivity time.Time `json:"last_activity,omitzero"`

	// Blocked is why the customer cannot be reached (a send failed with
	// "this person isn't available right now" or "no matching user"), ""
	// when nothing is known against them; BlockedAt is when it was learnt
	// (the store's clock). Campaigns skip them; a later inbound action of
	// theirs clears it.
	Blocked   string    `json:"blocked,omitempty"`
	BlockedAt time.Time `json:"blocked_at,omitzero"`
}

// Message is one message of a thread, inbound or outbound.
type Message struct {
	ConvKey
	// ID is the store's own stable name for the message, valid before Meta
	// has given it a mid (a queued send): an opaque token (ids.go), to
	// keep and hand back, never to take apart.
	ID          string       `json:"id,omitempty"`
	MID         string       `json:"mid,omitempty"`
	Direction   Direction    `json:"direction"`
	Kind        string       `json:"kind,omitempty"` // "" for a message, "postback"
	Text        string       `json:"text,omitempty"`
	Attachments []Attachment `json:"attachments,omitempty"`
	QuickReply  string       `json:"quick_reply,omitempty"` // payload of a tapped quick reply
	Payload     string       `json:"payload,omitempty"`     // postback payload
	ReplyTo     string       `json:"reply_to,omitempty"`    // mid of the message this answers
	Reactions   []Reaction   `json:"reactions,omitempty"`
	Time        time.Time    `json:"time"`
	Status      Status       `json:"status"`
	Error       string       `json:"error,omitempty"`  // reason in words when failed
	AppID       string       `json:"app_id,omitempty"` // for echoes: the app that sent it
	Edits       int          `json:"edits,omitempty"`
	CampaignID  uint64       `json:"campaign_id,omitempty"`
	Agent       string       `json:"agent,omitempty"` // the agent who sent it (outbound)
	// Template names the Utility template an outbound message was sent as
	// (Text is its filled body).
	Template string `json:"template,omitempty"`
	// OutboxID is the outbox item an outbound message of ours shows, so an
	// agent can act on it (send again); 0 for anything else.
	OutboxID uint64 `json:"outbox_id,omitempty"`
}

// OutboxState is where a send is in the outbox.
type OutboxState string

const (
	OutboxQueued  OutboxState = "queued"
	OutboxSending OutboxState = "sending"
	OutboxSent    OutboxState = "sent"
	OutboxFailed  OutboxState = "failed"
	OutboxSkipped OutboxState = "skipped" // never sent: outside the window, blocked
	OutboxUnknown OutboxState = "unknown" // maybe sent (a crash, an ambiguous answer); its echo settles it
)

// ErrorKinds of an unknown item: why its fate is open, and what may still
// happen to it.
const (
	// KindInterrupted: in flight when the process died. Never resent on
	// its own.
	KindInterrupted = "interrupted"
	// KindAmbiguous: Meta's answer did not prove a refusal. The item waits
	// for its echo, which settles it as sent; without one it may be sent
	// once more (Store.SweepUnechoed).
	KindAmbiguous = "ambiguous"
	// KindNoEcho: the wait ended without an echo. It stays unknown; only a
	// person sends it again.
	KindNoEcho = "no_echo"
	// KindResent: a person sent it again as a new item.
	KindResent = "resent"
)

// Done reports whether the item will not move again on its own.
func (s OutboxState) Done() bool { return s != OutboxQueued && s != OutboxSending }

// MessagingType is the Send API messaging_type.
type MessagingType string

const (
	Response   MessagingType = "RESPONSE"
	Update     MessagingType = "UPDATE"
	MessageTag MessagingType = "MESSAGE_TAG"
)

// TagHumanAgent is the only message tag Meta still accepts (since 27 Apr 2026).
const TagHumanAgent = "HUMAN_AGENT"

// OutboxItem is one message waiting to go to one recipient, alone or as
// part of a campaign.
type OutboxItem struct {
	ID      uint64 `json:"id"`
	ConvKey        // recipient
	// Name is the customer's, filled in by CampaignItems for display;
	// never stored with the item.
	Name          string        `json:"name,omitempty"`
	MessageID     string        `json:"message_id"` // the thread message it shows as
	CampaignID    uint64        `json:"campaign_id,omitempty"`
	Agent         string        `json:"agent,omitempty"` // who queued it (a single reply)
	Text          string        `json:"text,omitempty"`
	ImageURL      string        `json:"image_url,omitempty"`
	Template      *TemplateSend `json:"template,omitempty"` // a UTILITY send; Text is its filled body
	MessagingType MessagingType `json:"messaging_type"`
	Tag           string        `json:"tag,omitempty"`
	ReplyTo       string        `json:"reply_to,omitempty"` // mid the reply answers
	State         OutboxState   `json:"state"`
	MID           string        `json:"mid,omitempty"`
	Reason        string        `json:"reason,omitempty"`     // why it failed or was skipped
	ErrorKind     string        `json:"error_kind,omitempty"` // machine-readable class, e.g. "outside_window"
	Retryable     bool          `json:"retryable,omitempty"`
	Attempts      int           `json:"attempts,omitempty"`
	// AutoResent: it went unknown once, no echo came, and it was queued
	// again; it is never resent on its own a second time.
	AutoResent bool      `json:"auto_resent,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`

	// UploadedFile: sent by attachment_id, after the text if any.
	UploadedFile
}

// CampaignStatus is the life of a campaign.
type CampaignStatus string

const (
	CampaignRunning     CampaignStatus = "running"
	CampaignPaused      CampaignStatus = "paused"
	CampaignCancelled   CampaignStatus = "cancelled"
	CampaignDone        CampaignStatus = "done"
	CampaignInterrupted CampaignStatus = "interrupted" // the process died while it ran
)

// CampaignCounts are the per-recipient states of a campaign.
type CampaignCounts struct {
	Total   int `json:"total"`
	Queued  int `json:"queued"`
	Sending int `json:"sending"`
	Sent    int `json:"sent"`
	Failed  int `json:"failed"`
	Skipped int `json:"skipped"`
	Unknown int `json:"unknown"`
}

// Campaign is one message sent to many recipients.
type Campaign struct {
	ID       uint64 `json:"id"`
	PageID   string `json:"page_id"`
	Title    string `json:"title"`
	Text     string `json:"text"`
	ImageURL string `json:"image_url,omitempty"`
	// UploadedFile: a file uploaded once and sent to every recipient by
	// its attachment_id.
	UploadedFile
	// FillNames: Text is a saved reply whose {first_name} is each
	// recipient's own, filled in as the campaign is written.
	FillNames bool `json:"fill_names,omitempty"`
	// Template, when set, goes to recipients outside the 24 h window (an
	// approved UTILITY template, as UTILITY); those inside get Text as
	// UPDATE. A {first_name} in a parameter value is each recipient's.
	Template *TemplateSend  `json:"template,omitempty"`
	Status   CampaignStatus `json:"status"`
	Counts   CampaignCounts `json:"counts"`
	// AwaitingEcho counts the unknown recipients still waiting for the
	// echo that settles them (part of Counts.Unknown); read from the
	// store's index, never stored.
	AwaitingEcho int       `json:"awaiting_echo,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}
