package webhook

// BenchmarkParse measures Parse alone on typical Messenger POST bodies:
//
//	go test ./webhook -run '^$' -bench Parse -benchmem -count 5
//
// 1event and 10events are text messages from consecutive customers in one
// entry, as Meta batches them (the shape of BenchmarkWebhookIngest);
// mixed is one entry with an inbound message with attachments, an echo of
// a template, a delivery, a read, a reaction and a postback.

import (
	"fmt"
	"strings"
	"testing"
)

const benchParsePage = "106512345678901"

// benchParseText is one POST of n text messages.
func benchParseText(n int) []byte {
	const ms = 1700000000000
	var sb strings.Builder
	fmt.Fprintf(&sb, `{"object":"page","entry":[{"id":"%s","time":%d,"messaging":[`, benchParsePage, ms)
	for i := range n {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `{"sender":{"id":"%d"},"recipient":{"id":"%s"},"timestamp":%d,"message":{"mid":"m_bench%016x:AQHQ3v8x9Xc2pL1k","text":"hello, do you ship to Porto? order %d"}}`,
			24900000000000+i, benchParsePage, ms-int64(n-i), 0xbe9c0+i, 1000+i)
	}
	sb.WriteString(`]}]}`)
	return []byte(sb.String())
}

var benchParseMixed = []byte(`{"object":"page","entry":[{"id":"106512345678901","time":1700000010000,"messaging":[
{"sender":{"id":"24896421738253661"},"recipient":{"id":"106512345678901"},"timestamp":1700000001000,"message":{"mid":"m_media","text":"see attached","attachments":[{"type":"image","payload":{"url":"https://scontent.xx.fbcdn.net/v/t1.15752-9/photo.jpg?_nc_cat=1"}},{"type":"file","payload":{"url":"https://cdn.fbsbx.com/v/t59.2708-21/invoice.pdf"},"title":"invoice.pdf"},{"type":"location","title":"Jane's Location","payload":{"coordinates":{"lat":52.5200066,"long":13.404954}}}]}},
{"sender":{"id":"106512345678901"},"recipient":{"id":"24896421738253661"},"timestamp":1700000011000,"message":{"is_echo":true,"app_id":1517776481860111,"metadata":"pageinbox:42","mid":"m_echo_template","attachments":[{"title":"Our menu","url":null,"type":"template","payload":{"template_type":"generic","sharable":false,"elements":[{"title":"Pizza","subtitle":"12 EUR","image_url":"https://example.com/pizza.jpg"}]}}]}},
{"sender":{"id":"24896421738253661"},"recipient":{"id":"106512345678901"},"delivery":{"mids":["m_echo_template"],"watermark":1700000011500}},
{"sender":{"id":"24896421738253661"},"recipient":{"id":"106512345678901"},"timestamp":1700000012000,"read":{"watermark":1700000011500}},
{"sender":{"id":"24896421738253661"},"recipient":{"id":"106512345678901"},"timestamp":1700000013000,"reaction":{"mid":"m_echo_template","action":"react","reaction":"love","emoji":"\u2764\ufe0f"}},
{"sender":{"id":"24896421738253661"},"recipient":{"id":"106512345678901"},"timestamp":1700000014000,"postback":{"mid":"m_postback","title":"Order now","payload":"ORDER_PIZZA"}}
]}]}`)

func BenchmarkParse(b *testing.B) {
	for _, bc := range []struct {
		name   string
		body   []byte
		events int
	}{
		{"1event", benchParseText(1), 1},
		{"10events", benchParseText(10), 10},
		{"mixed", benchParseMixed, 6},
	} {
		b.Run(bc.name, func(b *testing.B) {
			p, err := Parse(bc.body)
			if err != nil || len(p.Events) != bc.events || len(p.Unknown) != 0 {
				b.Fatalf("Parse: %d events, unknown %q, %v", len(p.Events), p.Unknown, err)
			}
			b.SetBytes(int64(len(bc.body)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Parse(bc.body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
