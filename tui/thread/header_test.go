package thread

import (
	"strings"
	"testing"
	"time"

	"github.com/muesli/termenv"

	"github.com/pageinbox/pageinbox/store"
)

// The header shows the conversation's assignee and its labels as chips in
// the colours the list has for them; it follows a change to the
// conversation, and without either the header is the name alone.
func TestHeaderShowsAssigneeAndLabelChips(t *testing.T) {
	c := newCommon(time.UTC)
	c.Renderer.SetColorProfile(termenv.TrueColor)
	m := open(t, c, newPages(3), 80, 10)
	var asked []string
	m.SetLabelColours(func(page, name string) string {
		asked = append(asked, page+"/"+name)
		if name == "vip" {
			return "#ff0000"
		}
		return ""
	})
	plain := strings.SplitN(m.View(), "\n", 2)[0]
	if strings.Contains(plain, "@") || strings.Contains(plain, "#") || len(asked) != 0 {
		t.Fatalf("a conversation with no assignee nor labels: header %q, colours asked %v", plain, asked)
	}
	m.SetConversation(store.Conversation{ConvKey: carla, Name: "Carla", LastInboundTime: now,
		Assignee: "ben", Labels: store.Labels("vip", "wholesale")})
	header := strings.SplitN(m.View(), "\n", 2)[0]
	text := stripSGR(header)
	if !strings.HasPrefix(text, "Carla @ben #vip #wholesale ") {
		t.Fatalf("header = %q, want the name, @ben and both chips", text)
	}
	if !strings.Contains(header, "\x1b[38;2;255;0;0m#vip") {
		t.Errorf("the vip chip is not drawn in its colour: %q", header)
	}
	if strings.Join(asked, ",") != "P/vip,P/wholesale" {
		t.Errorf("colours asked for %v, want each label of Page P", asked)
	}
}

func stripSGR(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == 0x1b {
			for i < len(s) && s[i] != 'm' {
				i++
			}
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
