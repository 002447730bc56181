package store

// Every bucket of the file, its keys and values, and the code that builds
// the keys. A new bucket gets a block here, an entry in allBuckets, and its
// key functions below: every key made of more than one part is built by
// one of them, never by hand.
//
// Rules for every layout:
//   - integers are unsigned 64-bit big-endian (u64), so byte order is
//     numeric order and a bbolt cursor walks them in order;
//   - times are Unix nanoseconds in a u64 (timeKey; before 1970 counts as
//     0), so byte order is time order;
//   - ids that come from Meta (page ids, PSIDs, mids) are stored as sent and
//     joined with a 0x00 byte: Meta's ids never contain one (page ids and
//     PSIDs are decimal digits), and parseConvKey splits at the first;
//   - records are JSON (putJSON/getJSON), so a field can be added without
//     a migration; except the conversation and message records, the
//     writer's hottest values, which are binary (convcodec.go, msgcodec.go:
//     fields are added at the end);
//   - sequence numbers come from the bucket's own NextSequence, so they
//     only grow and are never reused.
//
// Clients never see a key: message ids and cursors go out as opaque
// tokens (ids.go).

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"strings"
	"time"
)

var (
	// meta: the file's identity.
	//   "magic"  -> "pageinbox"
	//   "schema" -> schema version (SchemaVersion), u32: 4 bytes big-endian
	// Written by Open (prepare). A file without "magic" is not ours and is
	// refused; a newer schema is refused, an older one migrated.
	bMeta = []byte("meta")

	// pages: the Pages the inbox serves.
	//   pageID -> Page (JSON)
	// Written by PutPage and EnsurePages. Ingest, Enqueue and the campaign
	// calls check their page here with one Get and refuse another.
	bPages = []byte("pages")

	// convs: one record per conversation.
	//   pageID 0x00 psid (convKeyBytes) -> convRecord (binary, convcodec.go:
	//   Conversation + cid + the ends of its thread in messages, Newest and
	//   Oldest, since schema 8; JSON up to schema 6)
	// Written by the writer (flushConvs) once per transaction per
	// conversation, and by moveDrafts (migration from schema 2). Keyed by
	// what a caller knows (the ConvKey), so reading one is a Get; a page's
	// conversations sit together.
	bConvs = []byte("convs")

	// convids: the conversation ids (cid).
	//   cid(8) -> pageID 0x00 psid (the convs key)
	// Written by conv when a conversation is created; the cid comes from
	// this bucket's NextSequence. The cid is the short fixed-size name that
	// the act_* and msgs keys carry instead of the variable-length ConvKey;
	// this bucket turns it back into one.
	bConvIDs = []byte("convids")

	// act_all, act_unread, act_done: the inbox order of each filter.
	//   lastActivity(8) cid(8) (actKey) -> nil
	// One bucket per indexed filter of Filters (filters.go). Written by
	// reindex (flushConvs): a conversation is in a filter's bucket exactly
	// while it is listed and the filter's Match says so; its row moves when
	// its LastActivity does. Byte order is activity order, so the newest
	// screen is Last and Prev, a list cursor is the last key handed out
	// (Seek to it, step back), and the cid keeps two conversations with the
	// same time apart. The time-dependent window filter has no bucket of its
	// own: it reads act_all, down to 24 h ago.
	bActAll    = []byte("act_all")
	bActUnread = []byte("act_unread")
	bActDone   = []byte("act_done")

	// counts: the size of each indexed filter, in all and in each Page.
	//   filter name ("all", "unread", "done") (countKey) -> u64 count
	//   filter name 0x00 pageID (pageCountKey) -> u64 count in that Page
	// Written by reindex (addCount) in the same transaction as the index
	// row, and by rebuildCounts (migration from schema 1). The tabs show
	// every count without walking an index.
	bCounts = []byte("counts")

	// messages: every message of every thread, in arrival order.
	//   seq(8) (msgKey) -> prev(8) Message (binary, msgcodec.go; the id is
	//   not stored, it is this key as a token)
	// Written by linkMessage (new messages) and putMessage (status,
	// reactions, edits); unlinkMessage deletes a duplicate echo. seq is
	// this bucket's NextSequence, so every new message is appended at the
	// end of the B-tree: a batch of messages to many threads dirties the
	// last leaf or two, not one leaf per thread. A thread is a chain: its
	// conversation record holds its newest and oldest message (Newest,
	// Oldest), and each message the key of the one before it in time
	// order (prev, 0 for the first), so the newest page is Newest and
	// prev, prev..., and an older page starts at its cursor's prev
	// (chain.go). The outbox item that shows as a message names it by its
	// id.
	bMsgs = []byte("messages")

	// msgs: the messages up to schema 7, each thread a range of its own.
	//   cid(8) time(8) seq(8) (threadKey) -> Message (binary format 1, or
	//   JSON with its id up to schema 6)
	// Read and emptied by chainMessages (migration from schema 7; a
	// message keeps its seq as its messages key), which then deletes it;
	// the older migrations rewrite it in place.
	bMsgsV7 = []byte("msgs")

	// mids: Meta's message ids.
	//   pageID 0x00 mid (midKey) -> messages key (8 bytes; up to schema 7
	//   the msgs key, 24 bytes)
	// Written when a message with a mid is stored, when an echo confirms
	// our send (confirmEcho) and when the Send API answers (markSent).
	// Redeliveries are dropped by one Get; deliveries, reads, reactions
	// and edits find their message by it.
	bMIDs = []byte("mids")

	// seen: events that have no id of their own, already applied.
	//   sha256(kind 0x00 fields...)[:16] (seenKey) -> nil
	// Written by seen for reactions, referrals and unknown events, so a
	// redelivery changes nothing. A hash gives a fixed-size key whatever
	// the event; 128 bits make a collision negligible.
	bSeen = []byte("seen")

	// outbox: every send, a single reply or one recipient of a campaign.
	//   itemID(8) -> OutboxItem (JSON)
	// Written by Enqueue, CreateCampaign and putItem (every state change).
	// The id is this bucket's NextSequence, so key order is creation order;
	// the echo of our own send names it in its metadata (SendMetadata).
	bOutbox = []byte("outbox")

	// outq and outsending: the outbox items in state queued and sending.
	//   itemID(8) -> campaignID(8), or empty for a single reply
	// Written by putItem (and CreateCampaign for new campaign items) as an
	// item changes state, in the transaction that writes the item. Claim
	// walks outq First to Next: oldest first, and the value lets it step
	// over the items of a paused campaign without decoding them. Open reads
	// outsending to find the sends a crash cut off (recoverInterrupted)
	// without scanning the outbox.
	bOutQueued  = []byte("outq")
	bOutSending = []byte("outsending")

	// outecho: the unknown sends waiting for their echo (settle.go).
	//   campaignID(8) itemID(8) (echoKey) -> nil; a single reply is campaign 0
	// Written by Complete when Meta's answer was ambiguous; deleted when the
	// echo settles the item (settleOwnSend), when SweepUnechoed ends the
	// wait, and by Abandon, Resend and Forget. A campaign's waiting items
	// are one range, counted with Seek(campaignID) (awaitingEcho); the
	// sweep walks the whole bucket, which is empty while sends are clear.
	bOutEcho = []byte("outecho")

	// echoseen: when an echo of our own send last reached this file.
	//   pageID -> u64 time (the store's clock)
	// Written by settleOwnSend. One Get tells whether echoes reach us for
	// a Page, so that an unknown send may be sent once more (mayResend).
	bEchoSeen = []byte("echoseen")

	// campaigns: one record per campaign.
	//   campaignID(8) -> Campaign (JSON, with its per-state counts)
	// Written by CreateCampaign, countCampaign, SetCampaignStatus,
	// RetryFailed and, on Open, recoverInterrupted. The id is this bucket's
	// NextSequence: Campaigns lists newest first from Last.
	bCampaigns = []byte("campaigns")

	// campitems: which outbox items belong to which campaign.
	//   campaignID(8) itemID(8) (campItemKey) -> nil
	// Written by CreateCampaign. A campaign's recipients are one range:
	// Seek(campaignID) and Next while the prefix matches.
	bCampItems = []byte("campitems")

	// journal: every raw webhook body as received, before parsing.
	//   received(8) seq(8) (timeSeqKey) -> raw body
	// Written by IngestJournaled and JournalRaw in the transaction of what
	// the body brought. Replay seeks to a time and reads forward;
	// PruneJournal deletes from First while the time is older. The journal
	// id in logs is this key in hex (journalID).
	bJournal = []byte("journal")

	// unknown: webhook events of a kind we do not parse yet.
	//   eventTime(8) seq(8) (timeSeqKey) -> the event's raw JSON
	// Written by ingestUnknown, once per event (seen). Kept in time order
	// so nothing Meta sent is lost; the journal holds the whole bodies.
	bUnknown = []byte("unknown")

	// agents: the named agents who attach with a token of their own.
	//   name -> agentRecord (JSON: AgentInfo and the SHA-256 of the token)
	// Written by AddAgent, RevokeAgent (delete) and touchAgent (last used,
	// at most once a minute). Keyed by name, the agent's identity; a token
	// is found by comparing every hash in constant time (AgentForToken):
	// agents are few.
	bAgents = []byte("agents")

	// forgotten: customers who asked to be forgotten (forget.go).
	//   sha256(pageID 0x00 psid) (forgottenKey, 32 bytes) -> u64 time of the forget
	// Written by Forget. Every ingested event is checked with one Get, and
	// dropped if it is older than the forget. The key is a hash so that the
	// file keeps no PSID of theirs.
	bForgotten = []byte("forgotten")

	// drafts: the reply each agent is writing in each thread.
	//   owner 0x00 pageID 0x00 psid (draftKey) -> the draft, UTF-8
	// Written by SaveDraft (an empty draft is deleted) and moveDrafts
	// (migration from schema 2, owner ""). One Get per thread opened; the
	// owner "" draft is the single user's and everyone's fallback.
	bDrafts = []byte("drafts")

	// act_open, act_snoozed: the inbox order of each state (and act_done).
	//   lastActivity(8) cid(8) (actKey) -> nil
	// Indexed filters like act_*, kept by reindex, counted under "open" and
	// "snoozed"; not tabs of their own (stateFilters, team_list.go).
	// Filled from the conversations by migrate4 (schema 4 to 5).
	bActOpen    = []byte("act_open")
	bActSnoozed = []byte("act_snoozed")

	// act_assignee: every listed conversation under its assignee.
	//   assignee 0x00 lastActivity(8) cid(8) (nameActKey) -> nil
	// The unassigned ones are under "". Written by reteam (reindex) and
	// migrate4; deleted by forgetConv. Mine and Unassigned are one prefix,
	// newest last: their first screen is a Seek and Prev.
	bActAssignee = []byte("act_assignee")

	// act_label: every listed conversation under each label it carries.
	//   label 0x00 lastActivity(8) cid(8) (nameActKey) -> nil
	// Written by reteam; deleted by forgetConv. A label filter is a prefix.
	bActLabel = []byte("act_label")

	// snoozes: when each snoozed conversation wakes.
	//   until(8) cid(8) (actKey of SnoozedUntil) -> nil
	// Written by reteam. WakeDue walks it from First while the time has
	// passed, so the daemon's timer costs nothing while none is due, and a
	// restart loses no snooze.
	bSnoozes = []byte("snoozes")

	// labels: each Page's labels.
	//   pageID 0x00 name (nameKey) -> Label (JSON: name, colour, MetaID)
	// Written by PutLabel, DeleteLabel and SetLabels (a label used for the
	// first time is created).
	bLabels = []byte("labels")

	// notes: agents' private notes, never sent to Meta.
	//   cid(8) time(8) seq(8) (threadKey) -> Note (JSON)
	// Written by AddNote (seq: this bucket's NextSequence); a thread's
	// notes are one range under its cid, deleted with it by forgetConv.
	bNotes = []byte("notes")

	// replies: each Page's saved replies.
	//   pageID 0x00 shortcut (nameKey) -> SavedReply (JSON)
	// Written by SaveReply and DeleteReply.
	bReplies = []byte("replies")

	// uploads: files uploaded to Meta as reusable attachments (uploads.go).
	//   pageID 0x00 sha256 hex of the file (nameKey) -> Upload (JSON:
	//   attachment_id, type, uploaded_at)
	// Written by PutUpload after an Attachment Upload API call, deleted by
	// DropUpload when Meta refuses the id. Keyed by content, so the same
	// file sent again (a campaign, a second reply) reuses its id until it
	// is too old (UploadMaxAge) and is uploaded again.
	bUploads = []byte("uploads")

	// templates: each Page's Utility Message templates, as last synced.
	//   pageID 0x00 name 0x00 language (templateKey) -> Template (JSON)
	// Written by PutTemplates (a sync replaces the Page's set) and
	// SetTemplateStatus (the message_template_status_update webhook).
	bTemplates = []byte("templates")

	// act_page: each indexed filter within each Page.
	//   filter name 0x00 pageID 0x00 lastActivity(8) cid(8) (nameActKey of pageName) -> nil
	// A conversation has one row per indexed filter it is in (all, unread,
	// done, open, snoozed: the act_* buckets, by Page). Written by
	// reteam (reindex) and migrate5; deleted by forgetConv. A Page's list
	// under a filter (ListQuery.PageID) is one prefix, newest last: its
	// first screen is a Seek and Prev however many Pages share the file.
	// The window filter reads the Page's "all" rows down to 24 h ago. The
	// Page's filter counts are in counts under pageCountKey.
	bActPage = []byte("act_page")

	// allBuckets is every bucket above, created on Open.
	allBuckets = [][]byte{bMeta, bPages, bConvs, bConvIDs, bActAll, bActUnread, bActDone, bMsgs,
		bMIDs, bSeen, bOutbox, bOutQueued, bOutSending, bCampaigns, bCampItems, bJournal, bUnknown, bCounts, bDrafts,
		bOutEcho, bEchoSeen, bAgents, bForgotten, bActOpen, bActSnoozed, bActAssignee, bActLabel, bSnoozes,
		bLabels, bNotes, bReplies, bUploads, bTemplates, bActPage}

	keyMagic  = []byte("magic")
	keySchema = []byte("schema")
)

const magic = "pageinbox"

func u32(v uint32) []byte { b := make([]byte, 4); binary.BigEndian.PutUint32(b, v); return b }
func u64(v uint64) []byte { b := make([]byte, 8); binary.BigEndian.PutUint64(b, v); return b }

// timeKey is t as the u64 of every time in a key.
func timeKey(t time.Time) uint64 {
	n := t.UnixNano()
	if n < 0 {
		return 0
	}
	return uint64(n)
}

// timeSeqKey is a journal or unknown key: time order, then arrival order.
func timeSeqKey(t time.Time, seq uint64) []byte {
	b := make([]byte, 16)
	binary.BigEndian.PutUint64(b, timeKey(t))
	binary.BigEndian.PutUint64(b[8:], seq)
	return b
}

// journalID names a journal entry in logs and errors.
func journalID(key []byte) string { return hex.EncodeToString(key) }

func convKeyBytes(k ConvKey) []byte { return []byte(k.PageID + "\x00" + k.PSID) }

func parseConvKey(b []byte) ConvKey {
	page, psid, _ := strings.Cut(string(b), "\x00")
	return ConvKey{PageID: page, PSID: psid}
}

// actKey orders the inbox: newest activity last in byte order.
func actKey(t time.Time, convID uint64) []byte {
	b := make([]byte, 16)
	binary.BigEndian.PutUint64(b, timeKey(t))
	binary.BigEndian.PutUint64(b[8:], convID)
	return b
}

// actKeyCID is the conversation id of an act_* key.
func actKeyCID(k []byte) []byte { return k[8:16] }

// countKey is a filter's entry in the counts bucket.
func countKey(f Filter) []byte { return []byte(f) }

// pageCountKey is a filter's count within one Page: countKey 0x00 pageID.
func pageCountKey(count []byte, pageID string) []byte {
	return append(append(append([]byte(nil), count...), 0), pageID...)
}

// msgKey is a message's key: its place in arrival order.
func msgKey(seq uint64) []byte { return u64(seq) }

const msgKeyLen = 8

// threadKey places a note (or, up to schema 7, a message) in its thread;
// threadPrefix(cid) starts them all.
func threadKey(convID uint64, t time.Time, seq uint64) []byte {
	b := make([]byte, 24)
	binary.BigEndian.PutUint64(b, convID)
	binary.BigEndian.PutUint64(b[8:], timeKey(t))
	binary.BigEndian.PutUint64(b[16:], seq)
	return b
}

const threadKeyLen = 24

// threadPrefix is what every threadKey of conversation convID starts with.
func threadPrefix(convID uint64) []byte { return u64(convID) }

func midKey(pageID, mid string) []byte { return []byte(pageID + "\x00" + mid) }

// seenKey names an event without an id of its own by what it says.
func seenKey(parts ...string) []byte {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return h[:16]
}

func campItemKey(campaignID, itemID uint64) []byte { return append(u64(campaignID), u64(itemID)...) }

// echoKey is an item's entry in outecho.
func echoKey(item *OutboxItem) []byte { return campItemKey(item.CampaignID, item.ID) }

func forgottenKey(k ConvKey) []byte {
	h := sha256.Sum256(convKeyBytes(k))
	return h[:]
}

func draftKey(owner string, key ConvKey) []byte {
	return []byte(owner + "\x00" + key.PageID + "\x00" + key.PSID)
}

// nameActKey places a conversation under a name (an assignee, a label) in
// activity order; namePrefix(name) starts every key of that name.
func nameActKey(name string, t time.Time, convID uint64) []byte {
	// One allocation: the writer builds several of these per conversation
	// per batch (reteam).
	b := make([]byte, len(name)+1+16)
	n := copy(b, name)
	binary.BigEndian.PutUint64(b[n+1:], timeKey(t))
	binary.BigEndian.PutUint64(b[n+9:], convID)
	return b
}

func namePrefix(name string) []byte { return []byte(name + "\x00") }

// pageName is the name under which act_page keeps a filter's rows of a
// Page: pageActKey is nameActKey(pageName(...), ...).
func pageName(count []byte, pageID string) string { return string(count) + "\x00" + pageID }

// nameKey is a Page's named record: a label or a saved reply.
func nameKey(pageID, name string) []byte { return []byte(pageID + "\x00" + name) }

// templateKey is a template's identity: (page, name, language).
func templateKey(pageID, name, lang string) []byte { return nameKey(pageID, name+"\x00"+lang) }
