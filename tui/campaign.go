package tui

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/progress"
	"github.com/charmbracelet/bubbles/textarea"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/tui/inert"
)

// mode is what fills the screen.
type mode int

const (
	modeInbox mode = iota
	modeBulk
	modeCampaign
	modeCampaigns
)

// bulkForm is the campaign compose form: the message, and before anything
// is sent, the eligibility ledger of the selected recipients.
type bulkForm struct {
	keys       []store.ConvKey
	ledger     *store.Ledger
	loading    bool
	title      textinput.Model
	text       textarea.Model
	image      textinput.Model
	field      int // 0 title, 1 text, 2 image
	confirming bool
	starting   bool
	seq        int // the ledger request in flight; older answers are dropped
}

func newBulkForm(st Styles, km KeyMap) bulkForm {
	title := textinput.New()
	title.Placeholder = "campaign title (for your records)"
	title.Prompt = "Title: "
	title.CharLimit = 120
	title.PromptStyle, title.TextStyle, title.PlaceholderStyle = st.Bold, st.App, st.Dim
	text := textarea.New()
	text.Placeholder = "The message every eligible recipient gets…"
	text.ShowLineNumbers = false
	text.Prompt = ""
	text.CharLimit = 0
	text.KeyMap.InsertNewline = key.NewBinding(key.WithKeys("enter", "alt+enter", "ctrl+j"))
	text.FocusedStyle = textarea.Style{Base: st.App, CursorLine: st.App, Placeholder: st.Dim, Prompt: st.App, Text: st.App, EndOfBuffer: st.Dim}
	text.BlurredStyle = text.FocusedStyle
	image := textinput.New()
	image.Placeholder = "optional https:// image URL, sent after the text"
	image.Prompt = "Image: "
	image.PromptStyle, image.TextStyle, image.PlaceholderStyle = st.Bold, st.App, st.Dim
	return bulkForm{title: title, text: text, image: image}
}

// setSize fits the message box to the form.
func (f *bulkForm) setSize(w, h int) {
	f.text.SetWidth(max(10, w))
	f.text.SetHeight(max(2, min(8, h/4)))
	f.title.Width, f.image.Width = max(10, w-8), max(10, w-8)
}

func (f *bulkForm) focus() tea.Cmd {
	f.title.Blur()
	f.text.Blur()
	f.image.Blur()
	switch f.field {
	case 0:
		return f.title.Focus()
	case 1:
		return f.text.Focus()
	}
	return f.image.Focus()
}

// campaignView follows one campaign: progress while it runs, and every
// recipient's result.
type campaignView struct {
	c        store.Campaign
	items    []store.OutboxItem
	byID     map[uint64]int
	replies  int
	offset   int
	cancel   bool // asking to confirm a cancel
	bar      progress.Model
	openedAt time.Time
	doneAt   int // Sent+Failed+Skipped+Unknown when opened, for the rate
}

type campaignsView struct {
	list   []store.Campaign
	cursor int
	loaded bool
}

// Messages of the campaign screens.
type (
	selectedMsg struct{ keys []store.ConvKey }
	ledgerMsg   struct {
		seq    int
		ledger store.Ledger
	}
	startedMsg struct {
		c   store.Campaign
		err error
	}
	campaignMsg struct{ c store.Campaign }
	itemsMsg    struct {
		id    uint64
		items []store.OutboxItem
	}
	repliesMsg struct {
		id uint64
		n  int
	}
	campaignsMsg []store.Campaign
	retriedMsg   struct {
		id uint64
		n  int
	}
)

// --- commands

func (m *Model) selectAll() tea.Cmd {
	be, ctx, q := m.be, m.ctx, store.ListQuery{Filter: m.list.filter, Search: m.list.query}
	return func() tea.Msg {
		keys, err := be.SelectAll(ctx, q)
		if err != nil {
			return errMsg{"select", err}
		}
		return selectedMsg{keys}
	}
}

func (m *Model) loadLedger(keys []store.ConvKey) tea.Cmd {
	m.bulk.seq++
	be, ctx, seq := m.be, m.ctx, m.bulk.seq
	return func() tea.Msg {
		l, err := be.Eligibility(ctx, keys)
		if err != nil {
			return errMsg{"eligibility", err}
		}
		return ledgerMsg{seq, l}
	}
}

func (m *Model) startCampaign() tea.Cmd {
	f := &m.bulk
	c := store.Campaign{Title: strings.TrimSpace(f.title.Value()), Text: strings.TrimSpace(f.text.Value()),
		ImageURL: strings.TrimSpace(f.image.Value())}
	if c.Title == "" {
		c.Title = "Campaign " + m.now.Local().Format("2 Jan 15:04")
	}
	l := *f.ledger
	c.PageID = l.PageID
	be, ctx := m.be, m.ctx
	return func() tea.Msg {
		got, err := be.StartCampaign(ctx, c, l)
		return startedMsg{got, err}
	}
}

func (m *Model) loadItems(id uint64) tea.Cmd {
	be, ctx := m.be, m.ctx
	return func() tea.Msg {
		items, err := be.CampaignItems(ctx, id)
		if err != nil {
			return errMsg{"campaign recipients", err}
		}
		return itemsMsg{id, items}
	}
}

func (m *Model) loadReplies(id uint64) tea.Cmd {
	be, ctx := m.be, m.ctx
	return func() tea.Msg {
		n, err := be.CampaignReplies(ctx, id)
		if err != nil {
			return errMsg{"campaign replies", err}
		}
		return repliesMsg{id, n}
	}
}

func (m *Model) loadCampaigns() tea.Cmd {
	be, ctx := m.be, m.ctx
	return func() tea.Msg {
		list, err := be.Campaigns(ctx)
		if err != nil {
			return errMsg{"campaigns", err}
		}
		return campaignsMsg(list)
	}
}

func (m *Model) setCampaignStatus(id uint64, st store.CampaignStatus) tea.Cmd {
	be, ctx := m.be, m.ctx
	return func() tea.Msg {
		c, err := be.SetCampaignStatus(ctx, id, st)
		if err != nil {
			return errMsg{"campaign", err}
		}
		return campaignMsg{c}
	}
}

func (m *Model) retryFailed(id uint64) tea.Cmd {
	be, ctx := m.be, m.ctx
	return func() tea.Msg {
		n, err := be.RetryFailed(ctx, id)
		if err != nil {
			return errMsg{"retry failed", err}
		}
		return retriedMsg{id, n}
	}
}

// openCampaign shows one campaign's progress and recipients.
func (m *Model) openCampaign(c store.Campaign) tea.Cmd {
	bar := progress.New(progress.WithDefaultGradient(), progress.WithoutPercentage())
	m.campaign = campaignView{c: c, byID: map[uint64]int{}, bar: bar, openedAt: m.now, doneAt: finished(c.Counts)}
	m.mode = modeCampaign
	return tea.Batch(m.loadItems(c.ID), m.loadReplies(c.ID))
}

func finished(n store.CampaignCounts) int { return n.Sent + n.Failed + n.Skipped + n.Unknown }

// --- update

// campaignUpdate handles the campaign screens' messages; ok is false for
// messages that are not theirs.
func (m *Model) campaignUpdate(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case selectedMsg:
		for _, k := range msg.keys {
			m.list.marked[k] = true
		}
		return nil, true
	case ledgerMsg:
		if m.mode == modeBulk && msg.seq == m.bulk.seq { // else: for an older selection
			l := msg.ledger
			m.bulk.ledger, m.bulk.loading = &l, false
		}
		return nil, true
	case startedMsg:
		if msg.err != nil {
			m.bulk.starting = false // the form stays, with its text, to try again
			m.setErr("start campaign", msg.err)
			return nil, true
		}
		m.bulk = newBulkForm(m.styles, m.keys)
		m.layout()
		clear(m.list.marked)
		return m.openCampaign(msg.c), true
	case campaignMsg:
		m.applyCampaign(msg.c)
		return nil, true
	case itemsMsg:
		if m.mode == modeCampaign && m.campaign.c.ID == msg.id {
			m.campaign.items = msg.items
			clear(m.campaign.byID)
			for i, it := range msg.items {
				m.campaign.byID[it.ID] = i
			}
		}
		return nil, true
	case repliesMsg:
		if m.campaign.c.ID == msg.id {
			m.campaign.replies = msg.n
		}
		return nil, true
	case campaignsMsg:
		m.campaigns.list, m.campaigns.loaded = msg, true
		m.campaigns.cursor = min(m.campaigns.cursor, max(0, len(msg)-1))
		return nil, true
	case retriedMsg:
		m.setNote(fmt.Sprintf("%d failed recipients queued again", msg.n))
		return m.loadItems(msg.id), true
	}
	return nil, false
}

// applyCampaign takes a newer state of a campaign wherever it is shown.
func (m *Model) applyCampaign(c store.Campaign) {
	if m.campaign.c.ID == c.ID {
		m.campaign.c = c
	}
	for i := range m.campaigns.list {
		if m.campaigns.list[i].ID == c.ID {
			m.campaigns.list[i] = c
		}
	}
}

// applyOutbox updates a recipient's row of the campaign on screen.
func (m *Model) applyOutbox(it store.OutboxItem) {
	if m.mode != modeCampaign || it.CampaignID != m.campaign.c.ID {
		return
	}
	if i, ok := m.campaign.byID[it.ID]; ok {
		if it.Name == "" {
			it.Name = m.campaign.items[i].Name // changes carry no name
		}
		m.campaign.items[i] = it
	}
}

// --- keys

func (m *Model) bulkKey(msg tea.KeyMsg) tea.Cmd {
	f := &m.bulk
	if f.starting {
		return nil // the campaign is being written: one confirmation, one campaign
	}
	if f.confirming {
		switch {
		case key.Matches(msg, m.keys.Confirm):
			f.confirming, f.starting = false, true
			return m.startCampaign()
		default:
			f.confirming = false
		}
		return nil
	}
	switch {
	case key.Matches(msg, m.keys.Back):
		m.mode = modeInbox // the form is kept: B brings it back
		return nil
	case key.Matches(msg, m.keys.NextPane):
		f.field = (f.field + 1) % 3
		return f.focus()
	case key.Matches(msg, m.keys.Submit):
		switch {
		case f.ledger == nil:
			m.setErr("campaign", errString("the eligibility ledger is still loading"))
		case len(f.ledger.Send) == 0:
			m.setErr("campaign", errString("nobody selected can receive a campaign now"))
		default:
			if err := store.CheckText(f.text.Value(), strings.TrimSpace(f.image.Value())); err != nil {
				m.setErr("campaign", err)
				return nil
			}
			f.confirming = true
		}
		return nil
	}
	var cmd tea.Cmd
	switch f.field {
	case 0:
		f.title, cmd = f.title.Update(msg)
	case 1:
		f.text, cmd = f.text.Update(msg)
	default:
		f.image, cmd = f.image.Update(msg)
	}
	return cmd
}

func (m *Model) campaignKey(msg tea.KeyMsg) tea.Cmd {
	v := &m.campaign
	if v.cancel {
		v.cancel = false
		if key.Matches(msg, m.keys.Confirm) {
			return m.setCampaignStatus(v.c.ID, store.CampaignCancelled)
		}
		return nil
	}
	if delta, _, ok := m.navigation(msg, 10); ok {
		v.offset = max(0, min(v.offset+delta, len(v.items)-1))
		return nil
	}
	switch {
	case key.Matches(msg, m.keys.Back), key.Matches(msg, m.keys.Quit):
		if m.campaigns.loaded {
			m.mode = modeCampaigns
			return m.loadCampaigns()
		}
		m.mode = modeInbox
	case key.Matches(msg, m.keys.Pause):
		switch v.c.Status {
		case store.CampaignRunning:
			return m.setCampaignStatus(v.c.ID, store.CampaignPaused)
		case store.CampaignPaused:
			return m.setCampaignStatus(v.c.ID, store.CampaignRunning)
		}
	case key.Matches(msg, m.keys.Resume):
		if v.c.Status == store.CampaignPaused || v.c.Status == store.CampaignInterrupted {
			return m.setCampaignStatus(v.c.ID, store.CampaignRunning)
		}
	case key.Matches(msg, m.keys.Cancel):
		if v.c.Status != store.CampaignDone && v.c.Status != store.CampaignCancelled {
			v.cancel = true
		}
	case key.Matches(msg, m.keys.Retry):
		if v.c.Counts.Failed > 0 {
			return m.retryFailed(v.c.ID)
		}
	case key.Matches(msg, m.keys.Campaigns):
		m.mode = modeCampaigns
		return m.loadCampaigns()
	}
	return nil
}

func (m *Model) campaignsKey(msg tea.KeyMsg) tea.Cmd {
	v := &m.campaigns
	if delta, jump, ok := m.navigation(msg, 10); ok {
		switch jump {
		case -1:
			v.cursor = 0
		case 1:
			v.cursor = len(v.list) - 1
		}
		v.cursor = max(0, min(v.cursor+delta, len(v.list)-1))
		return nil
	}
	switch {
	case key.Matches(msg, m.keys.Back), key.Matches(msg, m.keys.Quit):
		m.mode = modeInbox
		v.loaded = false
	case key.Matches(msg, m.keys.Open):
		if v.cursor < len(v.list) {
			return m.openCampaign(v.list[v.cursor])
		}
	}
	return nil
}

// --- views

func (m *Model) bulkView(w, h int) string {
	s, f := m.styles, &m.bulk
	var b strings.Builder
	b.WriteString(s.Title.Render(fmt.Sprintf("New campaign to %d selected", len(f.keys))) + "\n\n")
	b.WriteString(f.title.View() + "\n\n")
	b.WriteString(f.text.View() + "\n")
	n := len([]rune(f.text.Value()))
	counter := fmt.Sprintf("%d/%d", n, store.MaxTextLen)
	if n >= store.MaxTextLen {
		counter = s.Failed.Render(counter + " too long")
	}
	b.WriteString(s.Dim.Render(counter) + "\n")
	b.WriteString(f.image.View() + "\n\n")
	switch {
	case f.loading || f.ledger == nil:
		b.WriteString(s.Dim.Render("Checking who can receive it…"))
	default:
		b.WriteString(ledgerView(s, *f.ledger, w))
	}
	b.WriteString("\n\n")
	switch {
	case f.starting:
		b.WriteString(s.Dim.Render("Writing the campaign…"))
	case f.confirming:
		b.WriteString(s.Bold.Render(fmt.Sprintf("Send this message to %d recipients now? y to send, any other key to go back", len(f.ledger.Send))))
	default:
		b.WriteString(s.Help.Render("tab: next field · ctrl+s: review and send · esc: back (the form is kept)"))
	}
	return b.String()
}

// ledgerView is the eligibility breakdown, with a reason for every group.
func ledgerView(s Styles, l store.Ledger, w int) string {
	var b strings.Builder
	c := l.Counts()
	b.WriteString(s.Ok.Render(fmt.Sprintf("Will send: %d", c.Send)) + s.Dim.Render(" inside the 24 h window, as UPDATE"))
	if soon := l.ClosingWithin(time.Hour); soon > 0 {
		b.WriteString(s.WindowLow.Render(fmt.Sprintf(" (%d close within the hour: checked again when sent)", soon)))
	}
	b.WriteString("\n")
	if c.Skip > 0 {
		b.WriteString(s.WindowHuman.Render(fmt.Sprintf("Skipped: %d", c.Skip)) + s.Dim.Render(" "+kinds(c.ByKind, store.SkipOutsideWindow, store.SkipBeyond7Days, store.SkipNeverWrote, store.SkipNoConversation)) + "\n")
		for _, line := range wrap(store.NoTagForCampaigns+".", w) {
			b.WriteString(s.Dim.Render(line) + "\n")
		}
	}
	if c.Blocked > 0 {
		b.WriteString(s.Closed.Render(fmt.Sprintf("Blocked: %d", c.Blocked)) + s.Dim.Render(" "+kinds(c.ByKind, store.SkipBlocked, store.SkipTokenInvalid)) + "\n")
		for _, e := range l.Blocked[:min(3, len(l.Blocked))] {
			name := e.Name
			if name == "" {
				name = e.PSID
			}
			b.WriteString(s.Dim.Render(truncate("  "+inert.Line(name)+": "+inert.Line(e.Reason), w)) + "\n")
		}
	}
	if l.TokenProblem != "" {
		b.WriteString(s.Failed.Render(truncate(inert.Line(l.TokenProblem), w)) + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// kinds writes a count per reason: "(50 outside the 24 h window, 50 beyond 7 days)".
func kinds(by map[string]int, order ...string) string {
	words := map[string]string{
		store.SkipOutsideWindow: "outside the 24 h window", store.SkipBeyond7Days: "beyond 7 days",
		store.SkipNeverWrote: "never wrote", store.SkipNoConversation: "no conversation",
		store.SkipBlocked: "unreachable", store.SkipTokenInvalid: "token invalid",
	}
	var parts []string
	for _, k := range order {
		if n := by[k]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, words[k]))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

func (m *Model) campaignViewStr(w, h int) string {
	s, v := m.styles, &m.campaign
	c := v.c
	n := c.Counts
	var b strings.Builder
	b.WriteString(spread(s.Title.Render(inert.Line(c.Title)), s.Bold.Render(strings.ToUpper(string(c.Status))), w) + "\n")
	b.WriteString(s.Dim.Render(truncate(oneLine(c.Text), w)) + "\n\n")
	// Progress over the recipients there was something to send to: the
	// skipped ones were settled before the first send.
	pct := 1.0
	if toSend := n.Total - n.Skipped; toSend > 0 {
		pct = float64(n.Sent+n.Failed+n.Unknown) / float64(toSend)
	}
	v.bar.Width = max(10, w-8)
	b.WriteString(v.bar.ViewAs(pct) + fmt.Sprintf(" %3.0f%%", pct*100) + "\n")
	elapsed := m.now.Sub(c.CreatedAt)
	if c.Status != store.CampaignRunning {
		elapsed = c.UpdatedAt.Sub(c.CreatedAt)
	}
	rate := ""
	if secs := m.now.Sub(v.openedAt).Seconds(); c.Status == store.CampaignRunning && secs >= 1 {
		rate = fmt.Sprintf(" · %.0f/s", float64(finished(n)-v.doneAt)/secs)
	}
	b.WriteString(fmt.Sprintf("sent %d · failed %d · skipped %d · unknown %d · left %d of %d · replied %d · %s%s\n",
		n.Sent, n.Failed, n.Skipped, n.Unknown, n.Queued+n.Sending, n.Total, v.replies, elapsed.Round(time.Second), rate))
	note := func(st lipgloss.Style, text string) {
		for _, line := range wrap(text, w) {
			b.WriteString(st.Render(line) + "\n")
		}
	}
	switch c.Status {
	case store.CampaignInterrupted:
		note(s.WindowLow, "Interrupted: pageinbox stopped while it ran. Recipients in flight are marked unknown and are not resent. R resumes the rest.")
	case store.CampaignPaused:
		note(s.WindowLow, "Paused. p or R resumes.")
	}
	if c.AwaitingEcho > 0 {
		note(s.WindowLow, fmt.Sprintf("%d unknown: Meta's answer did not say whether they were sent; waiting for Meta's echo, which settles them.", c.AwaitingEcho))
	}
	if v.cancel {
		note(s.Bold, fmt.Sprintf("Cancel: the %d recipients not sent yet will be skipped. y to cancel, any other key to keep going", n.Queued))
	}
	b.WriteString("\n")
	rows := h - strings.Count(b.String(), "\n")
	if len(v.items) == 0 {
		b.WriteString(s.Dim.Render("Loading recipients…"))
		return b.String()
	}
	// Failures first, then the rest, so what needs attention is on top.
	order := make([]int, len(v.items))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return itemRank(v.items[order[a]]) < itemRank(v.items[order[b]]) })
	end := min(len(order), v.offset+max(1, rows))
	for _, i := range order[min(v.offset, len(order)):end] {
		it := v.items[i]
		who := it.Name
		if who == "" {
			who = it.PSID
		}
		b.WriteString(truncate(fmt.Sprintf("%-9s %-22s %s", it.State, truncate(inert.Line(who), 22), inert.Line(it.Reason)), w) + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

func itemRank(it store.OutboxItem) int {
	switch it.State {
	case store.OutboxFailed:
		return 0
	case store.OutboxUnknown:
		return 1
	case store.OutboxSending:
		return 2
	case store.OutboxQueued:
		return 3
	case store.OutboxSkipped:
		return 4
	}
	return 5
}

func (m *Model) campaignsViewStr(w, h int) string {
	s, v := m.styles, &m.campaigns
	var b strings.Builder
	b.WriteString(s.Title.Render("Campaigns") + "\n\n")
	if !v.loaded {
		return b.String() + s.Dim.Render("Loading…")
	}
	if len(v.list) == 0 {
		return b.String() + s.Dim.Render("No campaigns yet. Select conversations with space or V, then press B.")
	}
	for i, c := range v.list[:min(len(v.list), max(1, h-3))] {
		n := c.Counts
		line := fmt.Sprintf("#%-4d %-12s %-28s sent %d · failed %d · skipped %d · unknown %d of %d",
			c.ID, c.Status, truncate(inert.Line(c.Title), 28), n.Sent, n.Failed, n.Skipped, n.Unknown, n.Total)
		marker := "  "
		if i == v.cursor {
			marker = s.Cursor.Render("▌ ")
		}
		b.WriteString(marker + truncate(line, w-2) + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}
