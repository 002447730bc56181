package thread

import (
	"context"
	"fmt"
	"image"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/muesli/termenv"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/tui/preview"
)

// Pictures gives the small preview of an image attachment's URL: fetched
// within limits and cached on disk (inbox/media.Previewer). It is called
// only from a tea.Cmd.
type Pictures interface {
	Preview(ctx context.Context, url string) (image.Image, error)
}

// maxPictureFetches is how many previews download at once.
const maxPictureFetches = 4

// pictures is the open thread's image previews.
type pictures struct {
	src   Pictures               // nil: previews are off
	slot  chan struct{}          // bounds the fetches in flight
	asked map[string]bool        // URLs fetched or being fetched for this thread
	got   map[string]image.Image // URL -> preview, for this thread
	sizes map[string]int64       // URL -> the fetched image's bytes, when the source says
}

// byteSizer is a preview that knows its image's size in bytes
// (media.Sized, when it was fetched rather than read from the cache).
type byteSizer interface{ ByteSize() int64 }

// pictureMsg is one preview fetched, or why not.
type pictureMsg struct {
	key store.ConvKey
	url string
	img image.Image
	err error
}

// SetPictures turns previews on with src as their source; nil turns them
// off (PAGEINBOX_IMAGES=0).
func (m *Model) SetPictures(src Pictures) {
	m.pics = pictures{src: src, slot: make(chan struct{}, maxPictureFetches),
		asked: map[string]bool{}, got: map[string]image.Image{}, sizes: map[string]int64{}}
}

// picturesOn: a source, and a terminal with colours to draw them in.
func (m *Model) picturesOn() bool {
	return m.pics.src != nil && m.common.Renderer.ColorProfile() != termenv.Ascii
}

// forgetPictures drops the previews of the thread left (the disk cache
// keeps them).
func (m *Model) forgetPictures() {
	if m.pics.src != nil {
		clear(m.pics.asked)
		clear(m.pics.got)
		clear(m.pics.sizes)
	}
}

// FetchPictures fetches, in the background, the previews of the loaded
// messages' images not asked for yet.
func (m *Model) FetchPictures() tea.Cmd {
	if !m.picturesOn() || !m.open {
		return nil
	}
	var cmds []tea.Cmd
	for _, msg := range m.msgs {
		for _, a := range msg.Attachments {
			if !isPicture(a) || m.pics.asked[a.URL] {
				continue
			}
			m.pics.asked[a.URL] = true
			cmds = append(cmds, m.fetchPicture(a.URL))
		}
	}
	return tea.Batch(cmds...)
}

func (m *Model) fetchPicture(url string) tea.Cmd {
	src, slot, ctx, key := m.pics.src, m.pics.slot, m.common.Ctx, m.key
	return func() tea.Msg {
		select {
		case slot <- struct{}{}:
		case <-ctx.Done():
			return pictureMsg{key: key, url: url, err: ctx.Err()}
		}
		defer func() { <-slot }()
		img, err := src.Preview(ctx, url)
		return pictureMsg{key: key, url: url, img: img, err: err}
	}
}

// setPicture takes a fetched preview. One that failed draws nothing: the
// chip and its link stay, and it is not asked for again in this thread.
func (m *Model) setPicture(msg pictureMsg) {
	if msg.key != m.key || msg.err != nil || msg.img == nil || m.pics.src == nil {
		if msg.err != nil && m.common.Logger != nil {
			m.common.Logger.Debug("thread: image preview", "err", msg.err)
		}
		return
	}
	m.pics.got[msg.url] = msg.img
	if b, ok := msg.img.(byteSizer); ok && b.ByteSize() > 0 {
		m.pics.sizes[msg.url] = b.ByteSize()
	}
	m.redraw()
}

// withFetchedSize is a with the byte size its preview's fetch found,
// when the attachment itself does not say (a customer's image).
func (m *Model) withFetchedSize(a store.Attachment) store.Attachment {
	if a.Size == 0 && isPicture(a) && m.pics.sizes != nil {
		a.Size = m.pics.sizes[a.URL]
	}
	return a
}

// isPicture: an attachment with a preview worth fetching.
func isPicture(a store.Attachment) bool { return a.Type == "image" && a.URL != "" }

// pictureLines are a's preview, bubble cells wide at most; none when it
// is not fetched (yet).
func (m *Model) pictureLines(a store.Attachment, bubble int) []string {
	if !isPicture(a) || m.pics.got == nil {
		return nil
	}
	img, ok := m.pics.got[a.URL]
	if !ok {
		return nil
	}
	return preview.Render(img, bubble-1, m.common.Renderer)
}

// pictureSig is what a message's drawing owes to previews: how many of
// its pictures have arrived.
func (m *Model) pictureSig(msg store.Message) string {
	n := 0
	for _, a := range msg.Attachments {
		if _, ok := m.pics.got[a.URL]; ok && isPicture(a) {
			n++
		}
	}
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("|pictures %d", n)
}
