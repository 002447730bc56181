package tui

import (
	"io"
	"os"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/pageinbox/pageinbox/store"
)

// TestMain pins everything a frame depends on besides the model: no
// colours (the Ascii profile drops every SGR sequence, borders and padding
// stay), a dark background for adaptive colours, and UTC as the local zone
// (the TUI formats times with t.Local()).
func TestMain(m *testing.M) {
	lipgloss.SetColorProfile(termenv.Ascii)
	lipgloss.SetHasDarkBackground(true)
	time.Local = time.UTC
	os.Exit(m.Run())
}

// testNow is the fixed clock of every test: Wednesday 4 March 2026, 15:30 UTC.
var testNow = time.Date(2026, 3, 4, 15, 30, 0, 0, time.UTC)

func fixedClock() time.Time { return testNow }

func ago(d time.Duration) time.Time { return testNow.Add(-d) }

// asciiRenderer is a session renderer that emits no colour.
func asciiRenderer() *lipgloss.Renderer {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	r.SetHasDarkBackground(true)
	return r
}

const testPage = "PAGE1"

func convKey(psid string) store.ConvKey { return store.ConvKey{PageID: testPage, PSID: psid} }

func in(text string, at time.Time) store.Message {
	return store.Message{Direction: store.In, Text: text, Time: at, Status: store.StatusReceived}
}

func out(text string, at time.Time, st store.Status) store.Message {
	return store.Message{Direction: store.Out, Text: text, Time: at, Status: st, AppID: "263902037430900"}
}

// richKey is the conversation whose thread holds every kind of message.
var richKey = convKey("1000000000000001")

// richThread is a conversation over two days (yesterday and today) with
// every kind of message the thread draws: text, several lines, each kind
// of attachment, a reaction, a reply, a postback, an edit, and outbound
// messages in every status.
func richThread() (store.Conversation, []store.Message) {
	y := func(h, m int) time.Time { return time.Date(2026, 3, 3, h, m, 0, 0, time.UTC) }
	t := func(h, m int) time.Time { return time.Date(2026, 3, 4, h, m, 0, 0, time.UTC) }
	var msgs []store.Message
	add := func(m store.Message) { msgs = append(msgs, m) }

	m := in("Hi! Is the blue rain jacket still available in size M?", y(9, 12))
	m.MID = "mid.a1"
	add(m)
	m = out("Yes! We have two left in M. Shall I hold one for you?", y(9, 15), store.StatusRead)
	m.MID = "mid.a2"
	m.Reactions = []store.Reaction{{From: richKey.PSID, Reaction: "love", Emoji: "❤", Time: y(9, 16)}}
	add(m)
	add(in("Great, please do.\nCould you send a photo of the back?\nAnd one of the label.", y(9, 20)))
	m = out("Here you go", y(9, 31), store.StatusDelivered)
	m.Attachments = []store.Attachment{{Type: "image", URL: "https://cdn.example.com/p/jacket-back.jpg"}}
	add(m)
	m = out("", y(9, 33), store.StatusRead)
	m.Attachments = []store.Attachment{{Type: "video", URL: "https://cdn.example.com/v/jacket-360.mp4"}}
	add(m)
	m = in("", y(10, 2))
	m.Attachments = []store.Attachment{{Type: "sticker", StickerID: "369239263222822",
		URL: "https://scontent.xx.fbcdn.net/v/t39.1997-6/851557_369239266556155_759568595_n.png"}}
	add(m)
	m = in("Actually, can it be delivered to my office instead?", y(10, 5))
	m.Edits = 1
	add(m)
	m = in("", y(10, 6))
	m.Attachments = []store.Attachment{{Type: "location", Lat: 52.520008, Long: 13.404954}}
	add(m)

	m = in("", t(8, 40))
	m.Attachments = []store.Attachment{{Type: "file", URL: "https://cdn.example.com/f/invoice-2291.pdf"}}
	add(m)
	m = in("", t(8, 41))
	m.Attachments = []store.Attachment{{Type: "fallback", Title: "Order #2291 - Rain jacket", URL: "https://shop.example.com/orders/2291"}}
	add(m)
	m = in("Track my order", t(9, 0))
	m.Kind, m.Payload = "postback", "TRACK_ORDER"
	add(m)
	m = in("Is this still true?", t(9, 10))
	m.ReplyTo = "mid.a2"
	add(m)
	add(out("Yes, and your order ships today.", t(11, 0), store.StatusRead))
	add(out("Tracking: https://track.example.com/ZX81", t(12, 0), store.StatusDelivered))
	add(out("Anything else I can help with?", t(13, 0), store.StatusSent))
	m = out("Here is the size chart.", t(14, 0), store.StatusFailed)
	m.Error = "(#551) This person isn't available right now"
	add(m)
	m = out("Our returns policy is on the website.", t(14, 30), store.StatusUnknown)
	m.Error = "in flight when pageinbox stopped; check Messenger before resending"
	m.OutboxID = 7
	add(m)
	add(in("Thanks! One more question about returns.", t(15, 20)))
	add(out("Of course - what would you like to know?", t(15, 28), store.StatusSending))
	add(out("Returns are free within 30 days.", t(15, 29), store.StatusQueued))

	c := store.Conversation{ConvKey: richKey, Name: "Amara Okafor", Unread: 2}
	return c, msgs
}

// busyRow describes one row of the busy list.
type busyRow struct {
	name    string
	psid    string
	text    string
	last    time.Duration // since the last message
	inbound time.Duration // since the customer last wrote; <0: never
	unread  int
	done    bool
	draft   string
}

// busyRows are 29 conversations besides the rich one: names and none,
// unread badges up to three digits, and every window state (open, under
// 2 h left, HUMAN_AGENT only, closed, never opened).
var busyRows = []busyRow{
	{"Bjørn Halvorsen", "1000000000000002", "Danke, that works for me 👍", 14 * time.Minute, 14 * time.Minute, 1, false, ""},
	{"", "7712345678901234", "hello??", 40 * time.Minute, 40 * time.Minute, 1, false, ""},
	{"Chen Wei", "1000000000000004", "Thanks, it's on its way!", time.Hour, 3 * time.Hour, 0, false, ""},
	{"Dolores Ramírez-Santillana de la Cruz y Montenegro", "1000000000000005",
		"Hi,\nI ordered the green one last week and it still has not arrived, and the tracking page says nothing at all since Friday. Can you check?",
		2*time.Hour + 5*time.Minute, 2*time.Hour + 5*time.Minute, 12, false, ""},
	{"Eero Virtanen", "1000000000000006", "ok", 22*time.Hour + 30*time.Minute, 22*time.Hour + 30*time.Minute, 0, false, ""},
	{"Fatima Zahra", "1000000000000007", "Are you open on Sunday?", 23*time.Hour + 50*time.Minute, 23*time.Hour + 50*time.Minute, 3, false, ""},
	{"Gustavo Lima", "1000000000000008", "[image]", 23*time.Hour + 59*time.Minute + 30*time.Second, 23*time.Hour + 59*time.Minute + 30*time.Second, 1, false, ""},
	{"Hana Suzuki", "1000000000000009", "I'll think about it.", 25 * time.Hour, 25 * time.Hour, 0, false, ""},
	{"Ivan Petrov", "1000000000000010", "Hello? Anyone there?", 3 * 24 * time.Hour, 3 * 24 * time.Hour, 1, false, "Sorry for the wait, "},
	{"Jamal Bakr", "1000000000000011", "Can I still change my address?", 6*24*time.Hour + 22*time.Hour, 6*24*time.Hour + 22*time.Hour, 2, false, ""},
	{"Kofi Mensah", "1000000000000012", "Never mind, found it.", 8 * 24 * time.Hour, 8 * 24 * time.Hour, 0, false, ""},
	{"Lucía Fernández", "1000000000000013", "Perfect, thank you!", 30 * 24 * time.Hour, 30 * 24 * time.Hour, 0, true, ""},
	{"Mei Lin", "1000000000000014", "Got it, thanks.", 2*time.Hour + 30*time.Minute, 2*time.Hour + 30*time.Minute, 0, true, ""},
	{"Noah Williams", "1000000000000015", "???", 3*time.Hour + 10*time.Minute, 3*time.Hour + 10*time.Minute, 120, false, ""},
	{"Olga Ivanova", "1000000000000016", "[video]", 4 * time.Hour, 4 * time.Hour, 1, false, ""},
	{"Pierre Dubois", "1000000000000017", "Your order is ready for pickup.", 5 * time.Hour, -1, 0, false, ""},
	{"Quinn O'Neill", "1000000000000018", "Do you ship to Ireland?", 26 * time.Hour, 26 * time.Hour, 1, false, ""},
	{"Rosa Mendes", "1000000000000019", "Obrigada!", 30 * time.Hour, 30 * time.Hour, 0, true, ""},
	{"Sven Olsen", "1000000000000020", "What sizes do you have?", 50 * time.Hour, 50 * time.Hour, 4, false, ""},
	{"Tomás Novák", "1000000000000021", "Is there a discount code?", 72 * time.Hour, 72 * time.Hour, 0, false, ""},
	{"Uma Patel", "1000000000000022", "Thanks for the quick reply", 96 * time.Hour, 96 * time.Hour, 0, false, ""},
	{"Viktor Horváth", "1000000000000023", "[file]", 120 * time.Hour, 120 * time.Hour, 1, false, ""},
	{"Wanjiru Kamau", "1000000000000024", "See you tomorrow", 150 * time.Hour, 150 * time.Hour, 0, true, ""},
	{"", "1000000000000025", "Hi", 170 * time.Hour, 170 * time.Hour, 9, false, ""},
	{"Yusuf Demir", "1000000000000026", "Where is my refund?", 200 * time.Hour, 200 * time.Hour, 2, false, ""},
	{"Zara Ahmed", "1000000000000027", "Bought it in store, thanks", 400 * time.Hour, 400 * time.Hour, 0, true, ""},
	{"Aiko Tanaka", "1000000000000028", "Can I pay on delivery?", 700 * time.Hour, 700 * time.Hour, 0, false, ""},
	{"Ben Carter", "1000000000000029", "Great service!", 1000 * time.Hour, 1000 * time.Hour, 0, true, ""},
	{"Chiara Rossi", "1000000000000030", "Is it waterproof?", 2000 * time.Hour, 2000 * time.Hour, 1, false, ""},
}

// addBusy fills f with the rich conversation and the 29 busy rows: 30
// conversations.
func addBusy(f *fakeBackend) {
	c, msgs := richThread()
	f.add(c, msgs...)
	for _, r := range busyRows {
		addRow(f, r)
	}
}

func addRow(f *fakeBackend, r busyRow) {
	k := convKey(r.psid)
	at := ago(r.last)
	var msgs []store.Message
	if r.inbound >= 0 {
		// Some history before the last message, so the thread is not empty.
		msgs = append(msgs, in("Hello, I have a question about an order.", ago(r.inbound).Add(-10*time.Minute)))
		msgs = append(msgs, out("Hi! Sure, how can we help?", ago(r.inbound).Add(-5*time.Minute), store.StatusRead))
	}
	if r.inbound == r.last {
		msgs = append(msgs, in(r.text, at))
	} else {
		if r.inbound > 0 {
			msgs = append(msgs, in("Where is my parcel?", ago(r.inbound)))
		}
		msgs = append(msgs, out(r.text, at, store.StatusDelivered))
	}
	c := store.Conversation{ConvKey: k, Name: r.name, Unread: r.unread}
	if r.draft != "" {
		f.draftText[k] = r.draft
	}
	if r.done {
		c.Status = store.ConvDone
	}
	if r.inbound < 0 {
		// The customer never wrote: the Page started it from Meta's inbox.
		c.LastInboundTime = time.Time{}
	}
	f.add(c, msgs...)
}

// testStatus is the system status the goldens show.
func testStatus() store.SystemStatus {
	return store.SystemStatus{Mode: "local", Webhook: "127.0.0.1:8080", Events: 42, LastEvent: ago(2 * time.Minute),
		PageName: "Harbour Outfitters", TokenOK: true, Queued: 2, Connected: true}
}

// windowConv is a small inbox whose newest conversation's customer last
// wrote `since` ago, with a short history.
func windowConv(f *fakeBackend, name string, since time.Duration) store.ConvKey {
	k := convKey("2000000000000001")
	f.add(store.Conversation{ConvKey: k, Name: name, Unread: 1},
		out("Hi! Your order #3117 has been dispatched.", ago(since).Add(-2*time.Hour), store.StatusRead),
		in("Thanks. When will it arrive? I need it before the weekend.", ago(since)),
	)
	for i, r := range busyRows[10:13] {
		r.last, r.inbound = since+time.Duration(i+1)*time.Hour, since+time.Duration(i+1)*time.Hour
		addRow(f, r)
	}
	return k
}
