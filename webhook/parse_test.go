package webhook

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/store"
)

// Ids used by the fixtures in testdata/.
const (
	fxPage  = "104021842512345"
	fxPSID  = "24896421738253661"
	fxPage2 = "200000000000002"
	fxPSID2 = "5550001112223334"
)

// fxAt is an epoch-millisecond time as Parse returns it.
func fxAt(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// fxIn is an inbound event of kind k from fxPSID to fxPage at ms.
func fxIn(k store.EventKind, ms int64) store.Event {
	return store.Event{Kind: k, PageID: fxPage, PSID: fxPSID, Time: fxAt(ms)}
}

func TestParseFixtures(t *testing.T) {
	tests := []struct {
		file string
		want Payload
	}{
		{"message_text.json", page(with(fxIn(store.EventMessage, 1458692752478), func(e *store.Event) {
			e.MID = "mid.1457764197618:41d102a3e1ae206a38"
			e.Text = "hello, world!"
		}))},
		{"message_quick_reply.json", page(with(fxIn(store.EventMessage, 1458692752478), func(e *store.Event) {
			e.MID = "mid.1457764197618:41d102a3e1ae206a38"
			e.Text = "hello, world!"
			e.QuickReply = "<DEVELOPER_DEFINED_PAYLOAD>"
		}))},
		{"message_reply_to.json", page(with(fxIn(store.EventMessage, 1700000000123), func(e *store.Event) {
			e.MID = "m_AbCdEfReply"
			e.Text = "yes, that one"
			e.ReplyTo = "m_OriginalMid"
		}))},
		{"attachments_media.json", page(
			with(fxIn(store.EventMessage, 1700000001000), func(e *store.Event) {
				e.MID = "m_media"
				e.Attachments = []store.Attachment{
					{Type: "image", URL: "https://scontent.xx.fbcdn.net/v/t1.15752-9/photo.jpg?_nc_cat=1"},
					{Type: "video", URL: "https://video.xx.fbcdn.net/v/t42.3356-2/clip.mp4"},
					{Type: "audio", URL: "https://cdn.fbsbx.com/v/t59.3654-21/voice.mp4/audioclip.mp4"},
					{Type: "file", URL: "https://cdn.fbsbx.com/v/t59.2708-21/invoice.pdf", Title: "invoice.pdf"},
				}
			}),
			with(fxIn(store.EventMessage, 1700000002000), func(e *store.Event) {
				e.MID = "m_shares"
				e.Text = "look"
				e.Attachments = []store.Attachment{
					{Type: "reel", URL: "https://lookaside.fbsbx.com/reel/123", Title: "Summer reel"},
					{Type: "ig_reel", URL: "https://lookaside.fbsbx.com/ig_reel/456", Title: "IG reel"},
					{Type: "post", URL: "https://www.facebook.com/somepage/posts/789", Title: "A post"},
					{Type: "ig_post", URL: "https://www.instagram.com/p/AbC/", Title: "An IG post"},
					{Type: "appointment_booking", URL: "https://example.com/book"},
				}
			}),
		)},
		{"attachment_fallback.json", page(
			with(fxIn(store.EventMessage, 1700000003000), func(e *store.Event) {
				e.MID = "m_link"
				e.Text = "https://example.com/article"
				e.Attachments = []store.Attachment{{Type: "fallback", URL: "https://example.com/article", Title: "An article - Example"}}
			}),
			with(fxIn(store.EventMessage, 1700000004000), func(e *store.Event) {
				e.MID = "m_unsupported"
				e.Attachments = []store.Attachment{{Type: "fallback"}}
			}),
			with(fxIn(store.EventMessage, 1700000005000), func(e *store.Event) {
				e.MID = "m_unsupported_null"
				e.Attachments = []store.Attachment{{Type: "fallback", Title: "Shared"}}
			}),
		)},
		{"sticker_legacy.json", page(with(fxIn(store.EventMessage, 1700000006000), func(e *store.Event) {
			e.MID = "m_like"
			e.Attachments = []store.Attachment{{
				Type:      "image",
				URL:       "https://scontent.xx.fbcdn.net/v/t39.1997-6/851557_369239266556155_759568595_n.png",
				StickerID: "369239263222822",
			}}
		}))},
		{"sticker_new.json", page(
			with(fxIn(store.EventMessage, 1780000000000), func(e *store.Event) {
				e.MID = "m_sticker_both"
				e.Attachments = []store.Attachment{
					{Type: "image", URL: "https://scontent.xx.fbcdn.net/v/like.png", StickerID: "369239263222822"},
					{Type: "sticker", URL: "https://scontent.xx.fbcdn.net/v/like.png", StickerID: "369239263222822"},
				}
			}),
			with(fxIn(store.EventMessage, 1780000001000), func(e *store.Event) {
				e.MID = "m_sticker_top"
				e.Attachments = []store.Attachment{{Type: "sticker", URL: "https://scontent.xx.fbcdn.net/v/wave.png", StickerID: "126361874215276"}}
			}),
			with(fxIn(store.EventMessage, 1780000002000), func(e *store.Event) {
				e.MID = "m_sticker_msg"
				e.Attachments = []store.Attachment{{Type: "sticker", StickerID: "144884852352448"}}
			}),
		)},
		{"location.json", page(with(fxIn(store.EventMessage, 1600000000000), func(e *store.Event) {
			e.MID = "m_location"
			e.Attachments = []store.Attachment{{
				Type:  "location",
				URL:   "https://l.facebook.com/l.php?u=https%3A%2F%2Fwww.bing.com%2Fmaps%2Fdefault.aspx%3Fv%3D2%26pc%3DFACEBK%26mid%3D8100%26where1%3D52.52%252C%2B13.405",
				Title: "Jane's Location",
				Lat:   52.5200066,
				Long:  13.404954,
			}}
		}))},
		{"echo.json", page(with(fxIn(store.EventEcho, 1457764197627), func(e *store.Event) {
			e.AppID = "1517776481860111"
			e.Metadata = "<DEVELOPER_DEFINED_METADATA_STRING>"
			e.MID = "mid.1457764197618:41d102a3e1ae206a38"
			e.Text = "hello, world!"
		}))},
		{"echo_attachments.json", page(
			with(fxIn(store.EventEcho, 1700000010000), func(e *store.Event) {
				e.AppID = "263902037430900"
				e.MID = "m_echo_inbox"
				e.Text = "a human answered"
				e.ReplyTo = "m_AbCdEfReply"
			}),
			with(fxIn(store.EventEcho, 1700000011000), func(e *store.Event) {
				e.AppID = "1517776481860111"
				e.Metadata = "pageinbox:42"
				e.MID = "m_echo_template"
				e.Attachments = []store.Attachment{
					{Type: "template", Title: "Our menu"},
					{Type: "template"},
					{Type: "image", URL: "https://scontent.xx.fbcdn.net/v/sent.jpg"},
				}
			}),
		)},
		{"delivery.json", page(store.Event{
			Kind: store.EventDelivery, PageID: fxPage, PSID: fxPSID,
			Watermark: fxAt(1458668856253),
			MIDs:      []string{"mid.1458668856218:ed81099e15d3f4f233"},
		})},
		{"delivery_no_mids.json", page(with(fxIn(store.EventDelivery, 1458668856463), func(e *store.Event) {
			e.Watermark = fxAt(1458668856253)
		}))},
		{"read.json", page(with(fxIn(store.EventRead, 1458668856463), func(e *store.Event) {
			e.Watermark = fxAt(1458668856253)
		}))},
		{"postback.json", page(with(fxIn(store.EventPostback, 1458692752478), func(e *store.Event) {
			e.MID = "m_postback"
			e.Title = "TITLE-FOR-THE-CTA"
			e.Payload = "USER-DEFINED-PAYLOAD"
			e.Ref = "USER-DEFINED-REFERRAL-PARAM"
		}))},
		{"postback_no_mid.json", page(with(fxIn(store.EventPostback, 1600000000000), func(e *store.Event) {
			e.Title = "Get Started"
			e.Payload = "GET_STARTED"
		}))},
		{"reaction_react.json", page(with(fxIn(store.EventReaction, 1458668856463), func(e *store.Event) {
			e.MID = "m_reacted_to"
			e.Reaction = "love"
			e.Emoji = "\u2764\ufe0f"
		}))},
		{"reaction_unreact.json", page(with(fxIn(store.EventReaction, 1458668857000), func(e *store.Event) {
			e.MID = "m_reacted_to"
			e.Reaction = "other"
			e.Emoji = "👍"
			e.Unreact = true
		}))},
		{"edit.json", page(
			with(fxIn(store.EventEdit, 1458668856463), func(e *store.Event) {
				e.MID = "m_edited"
				e.Text = "hello, world (edited)"
			}),
			with(fxIn(store.EventEdit, 1458668856999), func(e *store.Event) {
				e.MID = "m_edited"
				e.Text = "hello, world (edited again)"
			}),
		)},
		{"referral.json", page(
			with(fxIn(store.EventReferral, 1458692752478), func(e *store.Event) { e.Ref = "spring-sale_2026=1" }),
			fxIn(store.EventReferral, 1458692753000), // an ad: no ref
		)},
		{"standby.json", page( // standby[] comes first in this body
			with(fxIn(store.EventMessage, 1700000020000), func(e *store.Event) {
				e.MID = "m_standby_text"
				e.Text = "anyone there?"
			}),
			with(fxIn(store.EventPostback, 1700000020100), func(e *store.Event) {
				e.MID = "m_standby_postback"
				e.Title = "Talk to a human" // no payload in standby
			}),
			with(fxIn(store.EventEcho, 1700000020200), func(e *store.Event) {
				e.AppID = "263902037430900"
				e.MID = "m_standby_echo"
				e.Text = "Hi, Anna here"
			}),
			with(fxIn(store.EventRead, 1700000020300), func(e *store.Event) { e.Watermark = fxAt(1700000020200) }),
			with(fxIn(store.EventMessage, 1700000020400), func(e *store.Event) {
				e.MID = "m_owner_text"
				e.Text = "thanks"
			}),
		)},
		{"pass_thread_control.json", Payload{
			Object: "page",
			Events: []store.Event{
				unknown(fxIn(store.EventUnknown, 1700000030000), `{"sender":{"id":"24896421738253661"},"recipient":{"id":"104021842512345"},"timestamp":1700000030000,"pass_thread_control":{"previous_owner_app_id":"1517776481860111","new_owner_app_id":"263902037430900","metadata":"handing over to a human"}}`),
				unknown(fxIn(store.EventUnknown, 1700000031000), `{"sender":{"id":"24896421738253661"},"recipient":{"id":"104021842512345"},"timestamp":1700000031000,"take_thread_control":{"previous_owner_app_id":null,"new_owner_app_id":"1517776481860111","metadata":""}}`),
				unknown(fxIn(store.EventUnknown, 1700000032000), `{"sender":{"id":"24896421738253661"},"recipient":{"id":"104021842512345"},"timestamp":1700000032000,"request_thread_control":{"requested_owner_app_id":263902037430900,"metadata":"please"}}`),
				unknown(store.Event{Kind: store.EventUnknown, PageID: fxPage, Time: fxAt(1700000033000)}, `{"recipient":{"id":"104021842512345"},"timestamp":1700000033000,"app_roles":{"1517776481860111":["primary_receiver"]}}`),
			},
			Unknown: []string{"pass_thread_control", "take_thread_control", "request_thread_control", "app_roles"},
		}},
		{"optin.json", Payload{
			Object: "page",
			Events: []store.Event{
				unknown(fxIn(store.EventUnknown, 1700000040000), `{"sender":{"id":"24896421738253661"},"recipient":{"id":"104021842512345"},"timestamp":1700000040000,"optin":{"type":"notification_messages","payload":"ADDITIONAL-WEBHOOK-INFORMATION","notification_messages_token":"1234567890","notification_messages_frequency":"DAILY","token_expiry_timestamp":1700086440000,"user_token_status":"NOT_REFRESHED","notification_messages_timezone":"Europe/Berlin","title":"Daily deals"}}`),
			},
			Unknown: []string{"optin"},
		}},
		{"unknown_type.json", Payload{
			Object: "page",
			Events: []store.Event{
				unknown(fxIn(store.EventUnknown, 1700000050000), `{"sender":{"id":"24896421738253661"},"recipient":{"id":"104021842512345"},"timestamp":1700000050000,"messaging_foo":{"bar":1}}`),
				unknown(fxIn(store.EventUnknown, 1700000050001), `{"sender":{"id":"24896421738253661"},"recipient":{"id":"104021842512345"},"timestamp":1700000050001,"zeta":true,"alpha":{"x":"y"}}`),
				unknown(fxIn(store.EventUnknown, 1700000050002), `{"sender":{"id":"24896421738253661"},"recipient":{"id":"104021842512345"},"timestamp":1700000050002}`),
			},
			Unknown: []string{"messaging_foo", "alpha", "empty"},
		}},
		{"extra_fields.json", page(with(fxIn(store.EventMessage, 1700000060000), func(e *store.Event) {
			e.MID = "m_extra"
			e.Text = "extras everywhere"
			e.QuickReply = "QR"
			e.ReplyTo = "m_prev"
			e.Attachments = []store.Attachment{{Type: "image", URL: "https://example.com/i.png", Lat: 1, Long: 2}}
		}))},
		{"changes_test_shape.json", Payload{
			Object: "page",
			Events: []store.Event{
				{Kind: store.EventMessage, PageID: "0", PSID: "12334", Time: fxAt(1527459824000),
					MID: "test_message_id", Text: "test_message", QuickReply: "test_qr",
					Attachments: []store.Attachment{{Type: "location", Lat: 52.52, Long: 13.405}}},
				{Kind: store.EventPostback, PageID: "0", PSID: "12334", Time: fxAt(1527459824000),
					MID: "test_postback_mid", Title: "test_title", Payload: "test_payload", Ref: "test_ref"},
				{Kind: store.EventEcho, PageID: "0", PSID: "12334", Time: fxAt(1527459825000),
					AppID: "1517776481860111", Metadata: "test_metadata", MID: "test_echo_mid", Text: "test_echo"},
				{Kind: store.EventDelivery, PageID: "0", PSID: "12334",
					Watermark: fxAt(1527459824000), MIDs: []string{"test_message_id"}},
				{Kind: store.EventRead, PageID: "0", PSID: "12334", Time: fxAt(1527459826000), Watermark: fxAt(1527459825000)},
				{Kind: store.EventReaction, PageID: "0", PSID: "12334", Time: fxAt(1527459827000),
					MID: "test_message_id", Reaction: "like", Emoji: "👍"},
				{Kind: store.EventEdit, PageID: "0", PSID: "12334", Time: fxAt(1527459828000), MID: "test_message_id", Text: "test_edit"},
				{Kind: store.EventReferral, PageID: "0", PSID: "12334", Time: fxAt(1527459829000), Ref: "test_ref"},
				{Kind: store.EventUnknown, PageID: "0", PSID: "12334", Time: fxAt(1527459830000),
					Raw: json.RawMessage(`{"sender":{"id":"12334"},"recipient":{"id":"23245"},"timestamp":"1527459830","optin":{"type":"one_time_notif_req","payload":"test","one_time_notif_token":"tok"}}`)},
			},
			Unknown: []string{"optin"},
		}},
		{"numeric_ids.json", Payload{
			Object: "page",
			Events: []store.Event{
				// 9876543210987653 and 9007199254740993 do not survive float64.
				{Kind: store.EventMessage, PageID: fxPage, PSID: "9876543210987653", Time: fxAt(1700000070000), MID: "m_numeric", Text: "big ids"},
				{Kind: store.EventEcho, PageID: fxPage, PSID: "12345678901234567", Time: fxAt(1700000070001),
					AppID: "1517776481860111", MID: "m_numeric_echo", Text: "echo"},
				{Kind: store.EventRead, PageID: fxPage, PSID: "9007199254740993", Time: fxAt(1700000070002), Watermark: fxAt(1700000070001)},
			},
		}},
		{"multi_entry.json", page(
			with(fxIn(store.EventMessage, 1700000080000), func(e *store.Event) { e.MID, e.Text = "m_p1_a", "first page, first" }),
			with(fxIn(store.EventMessage, 1700000080001), func(e *store.Event) { e.MID, e.Text = "m_p1_b", "first page, second" }),
			store.Event{Kind: store.EventDelivery, PageID: fxPage, PSID: fxPSID, Watermark: fxAt(1700000079000), MIDs: []string{"m_out_1", "m_out_2"}},
			store.Event{Kind: store.EventRead, PageID: fxPage2, PSID: fxPSID2, Time: fxAt(1700000080500), Watermark: fxAt(1700000080400)},
			store.Event{Kind: store.EventEcho, PageID: fxPage2, PSID: fxPSID2, Time: fxAt(1700000080600),
				AppID: "1517776481860111", MID: "m_p2_echo", Text: "second page echo"},
			store.Event{Kind: store.EventReaction, PageID: fxPage2, PSID: fxPSID2, Time: fxAt(1700000080700),
				MID: "m_p2_echo", Reaction: "like", Emoji: "👍"},
		)},
		{"instagram.json", Payload{Object: "instagram"}},
		{"user_ref.json", page(
			store.Event{Kind: store.EventReferral, PageID: fxPage, PSID: "user_ref:chat-plugin-visitor-42", Time: fxAt(1600000000000), Ref: "landing"},
			store.Event{Kind: store.EventMessage, PageID: fxPage, PSID: "user_ref:chat-plugin-visitor-42", Time: fxAt(1600000000500),
				MID: "m_plugin", Text: "question about pricing"},
		)},
		{"no_sender.json", Payload{
			Object: "page",
			Events: []store.Event{with(fxIn(store.EventMessage, 1700000100002), func(e *store.Event) {
				e.MID = "m_after_orphan"
				e.Text = "still read"
			})},
			Unknown: []string{"no_sender", "no_sender"},
		}},
		{"broken_events.json", page(
			with(fxIn(store.EventMessage, 1700000110000), func(e *store.Event) { e.Text = "no mid here" }),
			store.Event{Kind: store.EventMessage, PageID: fxPage, MID: "m_no_sender"},
			store.Event{Kind: store.EventDelivery, PageID: fxPage, PSID: fxPSID, MIDs: []string{"m_ok", "7"}},
			store.Event{Kind: store.EventMessage, PageID: fxPage, PSID: fxPSID},
			store.Event{Kind: store.EventMessage, PageID: fxPage, Time: fxAt(1700000110001),
				MID: "m_bad_sender", Attachments: []store.Attachment{{Type: "5"}}},
			with(fxIn(store.EventReaction, 1700000110002), func(e *store.Event) { e.MID, e.Reaction = "m_r", "wow" }),
		)},
		{"page_no_events.json", Payload{Object: "page"}},
	}

	seen := map[string]bool{}
	for _, tc := range tests {
		seen[tc.file] = true
		t.Run(strings.TrimSuffix(tc.file, ".json"), func(t *testing.T) {
			body := readFixture(t, tc.file)
			got, err := Parse(body)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			comparePayload(t, got, tc.want)
		})
	}
	// Every fixture has a case.
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, f := range files {
		if !seen[filepath.Base(f)] {
			t.Errorf("fixture %s has no test case", f)
		}
	}
}

// TestParseExactIDs checks that big numeric ids keep every digit.
func TestParseExactIDs(t *testing.T) {
	for _, id := range []string{"9876543210987653", "12345678901234567890", "9007199254740993", "1e3", "-0"} {
		body := fmt.Sprintf(`{"object":"page","entry":[{"id":%s,"messaging":[{"sender":{"id":%s},"recipient":{"id":%s},"timestamp":1700000000000,"message":{"mid":"m","is_echo":false}}]}]}`, id, id, id)
		p, err := Parse([]byte(body))
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		if len(p.Events) != 1 || p.Events[0].PSID != id || p.Events[0].PageID != id {
			t.Errorf("%s: got %+v", id, p.Events)
		}
	}
}

func TestParseTimestamps(t *testing.T) {
	tests := []struct {
		raw  string
		want time.Time
	}{
		{`1458692752478`, fxAt(1458692752478)},
		{`"1458692752478"`, fxAt(1458692752478)},
		{`1527459824`, fxAt(1527459824000)}, // seconds
		{`"1527459824"`, fxAt(1527459824000)},
		{`1527459824.5`, fxAt(1527459824500)},
		{`1.458692752478e12`, fxAt(1458692752478)},
		{`99999999999`, fxAt(99999999999000)},    // just below 1e11: seconds
		{`100000000000`, fxAt(100000000000)},     // 1e11: milliseconds
		{`"+1527459824"`, fxAt(1527459824000)},   // strconv accepts the sign
		{`0`, time.Time{}},                       // absent, as far as we can tell
		{`-1458692752478`, time.Time{}},          // negative
		{`-9223372036854775808`, time.Time{}},    // would overflow as seconds
		{`1e400`, time.Time{}},                   // out of range
		{`"soon"`, time.Time{}},                  // not a number
		{`""`, time.Time{}},                      // empty
		{`null`, time.Time{}},                    // null
		{`true`, time.Time{}},                    // wrong type
		{`{"ms":1458692752478}`, time.Time{}},    // wrong type
		{`[1458692752478]`, time.Time{}},         // wrong type
		{`"NaN"`, time.Time{}},                   // ParseFloat accepts it; we do not
		{`"Inf"`, time.Time{}},                   // likewise
		{`9223372036854775807`, fxAt(1<<63 - 1)}, // absurd, but the store refuses it
	}
	for _, tc := range tests {
		body := `{"object":"page","entry":[{"id":"1","messaging":[{"sender":{"id":"2"},"timestamp":` + tc.raw + `,"read":{"watermark":` + tc.raw + `}}]}]}`
		p, err := Parse([]byte(body))
		if err != nil {
			t.Fatalf("%s: %v", tc.raw, err)
		}
		if len(p.Events) != 1 {
			t.Fatalf("%s: %d events", tc.raw, len(p.Events))
		}
		e := p.Events[0]
		if !e.Time.Equal(tc.want) || !e.Watermark.Equal(tc.want) {
			t.Errorf("%s: time %v watermark %v, want %v", tc.raw, e.Time, e.Watermark, tc.want)
		}
		if e.Time.Location() != time.UTC {
			t.Errorf("%s: time not in UTC: %v", tc.raw, e.Time.Location())
		}
	}
}

func TestParseObjects(t *testing.T) {
	tests := []struct{ body, object string }{
		{`{"object":"instagram","entry":[{"id":"1","messaging":[{"sender":{"id":"2"},"message":{"mid":"m"}}]}]}`, "instagram"},
		{`{"object":"whatsapp_business_account","entry":{"not":"checked"}}`, "whatsapp_business_account"},
		{`{"object":"user","entry":[1,2,3]}`, "user"},
		{`{"entry":[{"id":"1","messaging":[{"sender":{"id":"2"},"message":{"mid":"m"}}]}]}`, ""},
		{`{"object":null}`, ""},
		{`{}`, ""},
		{`{"object":"Page","entry":[]}`, "Page"},
	}
	for _, tc := range tests {
		p, err := Parse([]byte(tc.body))
		if err != nil {
			t.Errorf("%s: %v", tc.body, err)
			continue
		}
		if !reflect.DeepEqual(p, Payload{Object: tc.object}) {
			t.Errorf("%s: got %+v, want only Object %q", tc.body, p, tc.object)
		}
	}
}

func TestParseMalformed(t *testing.T) {
	dir := filepath.Join("testdata", "malformed")
	files, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 10 {
		t.Fatalf("only %d malformed fixtures", len(files))
	}
	for _, f := range files {
		t.Run(f.Name(), func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join(dir, f.Name()))
			if err != nil {
				t.Fatal(err)
			}
			p, err := Parse(body)
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("Parse(%q) = %+v, %v; want ErrMalformed", body, p, err)
			}
			if !reflect.DeepEqual(p, Payload{}) {
				t.Errorf("payload with an error: %+v", p)
			}
			t.Log(err)
		})
	}
	// nil is an empty body too.
	if _, err := Parse(nil); !errors.Is(err, ErrMalformed) {
		t.Errorf("Parse(nil): %v", err)
	}
}

// Decode keeps what it can: a part that is not the right shape is named
// in Problems and skipped, its neighbours still give their events, and an
// event without a timestamp of its own takes its entry's time.
func TestDecodeKeepsGoodNeighbours(t *testing.T) {
	ev := func(mid string, ts string) string {
		return `{"sender":{"id":"` + fxPSID + `"},"recipient":{"id":"` + fxPage + `"},` + ts + `"message":{"mid":"` + mid + `"}}`
	}
	body := `{"object":"page","entry":[
		{"id":"` + fxPage + `","time":1700000000000,"messaging":[` + ev("m1", `"timestamp":1700000000500,`) + `,42,null,` + ev("m2", "") + `]},
		"not an entry",
		{"id":"` + fxPage + `","standby":{"x":1},"changes":[{"value":7},{"value":` + ev("m3", `"timestamp":1700000000900,`) + `}]}]}`
	p, err := Decode([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	msg := func(mid string, ms int64) store.Event {
		return with(fxIn(store.EventMessage, ms), func(e *store.Event) { e.MID = mid })
	}
	want := []store.Event{msg("m1", 1700000000500), msg("m2", 1700000000000), msg("m3", 1700000000900)}
	if !reflect.DeepEqual(p.Events, want) {
		t.Errorf("events:\n%+v\nwant\n%+v", p.Events, want)
	}
	var problems []string
	for _, err := range p.Problems {
		if !errors.Is(err, ErrMalformed) {
			t.Errorf("problem %v does not wrap ErrMalformed", err)
		}
		problems = append(problems, strings.TrimPrefix(err.Error(), ErrMalformed.Error()+": "))
	}
	wantProblems := []string{"entry[0].messaging[1] is not an object", "entry[0].messaging[2] is not an object",
		"entry[1] is not an object", "entry[2].standby is not an array", "entry[2].changes[0]: value is not an object"}
	if !reflect.DeepEqual(problems, wantProblems) {
		t.Errorf("problems = %q\nwant       %q", problems, wantProblems)
	}
	if _, err := Parse([]byte(body)); err == nil || err.Error() != p.Problems[0].Error() {
		t.Errorf("Parse = %v, want the first problem", err)
	}
}

// TestParseDoesNotAlias: events must not point into the body, which the
// caller may reuse.
func TestParseDoesNotAlias(t *testing.T) {
	body := readFixture(t, "optin.json")
	p, err := Parse(body)
	if err != nil {
		t.Fatal(err)
	}
	want := string(p.Events[0].Raw)
	for i := range body {
		body[i] = 'x'
	}
	if string(p.Events[0].Raw) != want {
		t.Errorf("Raw changed with the body: %s", p.Events[0].Raw)
	}
}

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func page(events ...store.Event) Payload { return Payload{Object: "page", Events: events} }

func with(e store.Event, f func(*store.Event)) store.Event {
	f(&e)
	return e
}

func unknown(e store.Event, raw string) store.Event {
	e.Raw = json.RawMessage(raw)
	return e
}

func comparePayload(t *testing.T, got, want Payload) {
	t.Helper()
	if got.Object != want.Object {
		t.Errorf("Object = %q, want %q", got.Object, want.Object)
	}
	if !reflect.DeepEqual(got.Unknown, want.Unknown) {
		t.Errorf("Unknown = %q, want %q", got.Unknown, want.Unknown)
	}
	if len(got.Events) != len(want.Events) {
		t.Errorf("%d events, want %d", len(got.Events), len(want.Events))
	}
	for i := range min(len(got.Events), len(want.Events)) {
		g, w := got.Events[i], want.Events[i]
		if !reflect.DeepEqual(g, w) {
			t.Errorf("event %d:\n got  %s\n want %s", i, showEvent(g), showEvent(w))
		}
	}
	for i := len(want.Events); i < len(got.Events); i++ {
		t.Errorf("extra event %d: %s", i, showEvent(got.Events[i]))
	}
}

func showEvent(e store.Event) string {
	raw := e.Raw
	e.Raw = nil
	s := fmt.Sprintf("%+v", e)
	if raw != nil {
		s += " Raw=" + string(raw)
	}
	return s
}

func TestParseUnknownNames(t *testing.T) {
	tests := []struct{ element, name string }{
		{`"optin":{"ref":"x"},"prior_message":{"source":"checkbox_plugin"}`, "optin"},
		{`"b":1,"a":2`, "a"},
		{`"":{"x":1}`, "empty"},
		{`"message":null`, "empty"},
		{`"message":null,"zz":1`, "zz"},
		{`"policy-enforcement":{"action":"block","reason":"spam"}`, "policy-enforcement"},
		{`"account_linking":{"status":"linked","authorization_code":"c"}`, "account_linking"},
		{`"game_play":{"game_id":"1","player_id":"2"}`, "game_play"},
	}
	for _, tc := range tests {
		el := `{"sender":{"id":"2"},"recipient":{"id":"1"},"timestamp":1700000000000,` + tc.element + `}`
		p, err := Parse([]byte(`{"object":"page","entry":[{"id":"1","messaging":[` + el + `]}]}`))
		if err != nil {
			t.Fatalf("%s: %v", tc.element, err)
		}
		want := Payload{
			Object:  "page",
			Events:  []store.Event{{Kind: store.EventUnknown, PageID: "1", PSID: "2", Time: fxAt(1700000000000), Raw: json.RawMessage(el)}},
			Unknown: []string{tc.name},
		}
		comparePayload(t, p, want)
	}
}
