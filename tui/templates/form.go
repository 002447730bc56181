package templates

import (
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/pageinbox/pageinbox/store"
	"github.com/pageinbox/pageinbox/tui/common"
	"github.com/pageinbox/pageinbox/tui/inert"
)

// form is the picked template's parameters, one input each, in the
// order they appear in the body.
type form struct {
	common *common.Common
	t      store.Template
	inputs []textinput.Model
	focus  int
	tried  bool // enter was pressed: missing parameters are pointed out
	// forCampaign: the values are a campaign's, nothing is sent here.
	forCampaign bool
}

func newForm(c *common.Common, t store.Template) *form {
	f := &form{common: c, t: t}
	for _, p := range t.Params {
		in := c.Input(placeholder(p)+" ", "required", c.Styles.Bold)
		in.CharLimit = 500
		in.Cursor.SetMode(cursor.CursorStatic)
		f.inputs = append(f.inputs, in)
	}
	f.setFocus(0)
	return f
}

// setWidth fits the inputs to width cells, their prompts included.
func (f *form) setWidth(width int) {
	for i := range f.inputs {
		f.inputs[i].Width = max(1, width-len(f.inputs[i].Prompt)-4)
	}
}

// placeholder is how a parameter is written in the body.
func placeholder(p string) string { return "{{" + p + "}}" }

func (f *form) setFocus(i int) {
	if len(f.inputs) == 0 {
		return
	}
	f.focus = (i + len(f.inputs)) % len(f.inputs)
	for j := range f.inputs {
		if j == f.focus {
			f.inputs[j].Focus()
		} else {
			f.inputs[j].Blur()
		}
	}
}

// update moves between the inputs or types in the focused one.
func (f *form) update(msg tea.KeyMsg) tea.Cmd {
	k := f.common.Keys
	switch {
	case key.Matches(msg, k.NextPane), key.Matches(msg, k.PickDown):
		f.setFocus(f.focus + 1)
		return nil
	case key.Matches(msg, k.PickUp):
		f.setFocus(f.focus - 1)
		return nil
	}
	if len(f.inputs) == 0 {
		return nil
	}
	var cmd tea.Cmd
	f.inputs[f.focus], cmd = f.inputs[f.focus].Update(msg)
	return cmd
}

// values are the parameters filled in so far, by name.
func (f *form) values() map[string]string {
	v := map[string]string{}
	for i, p := range f.t.Params {
		if s := strings.TrimSpace(f.inputs[i].Value()); s != "" {
			v[p] = s
		}
	}
	return v
}

// missing are the parameters still empty, in body order.
func (f *form) missing() []string {
	v := f.values()
	var out []string
	for _, p := range f.t.Params {
		if _, ok := v[p]; !ok {
			out = append(out, placeholder(p))
		}
	}
	return out
}

func (f *form) complete() bool { return len(f.missing()) == 0 }

// focusMissing moves to the first empty parameter.
func (f *form) focusMissing() {
	for i, p := range f.t.Params {
		if _, ok := f.values()[p]; !ok {
			f.setFocus(i)
			return
		}
	}
}

// view is the template's name, the inputs, the preview of the message
// as it would go, and what enter would do.
func (f *form) view(width int, sending bool, refused string) string {
	s := f.common.Styles
	lines := []string{
		s.Title.Render("Send a template · ") + inert.Line(f.t.Name) + s.Dim.Render(" "+inert.Line(f.t.Lang)+" · UTILITY"),
		s.Dim.Render("outside the 24 h window: goes as messaging_type UTILITY"), "",
	}
	for i := range f.inputs {
		marker := "  "
		if i == f.focus {
			marker = s.Cursor.Render("▌ ")
		}
		lines = append(lines, common.Truncate(marker+f.inputs[i].View(), width))
	}
	if len(f.inputs) == 0 {
		lines = append(lines, s.Dim.Render("no parameters"))
	}
	lines = append(lines, "", s.Bold.Render("Preview"))
	for _, l := range common.Wrap(inert.String(f.t.Fill(f.values())), max(1, width-2)) {
		lines = append(lines, "  "+l)
	}
	lines = append(lines, "", f.footer(sending, refused))
	return strings.Join(lines, "\n")
}

func (f *form) footer(sending bool, refused string) string {
	s := f.common.Styles
	switch missing := f.missing(); {
	case sending:
		return s.Dim.Render("sending…")
	case refused != "":
		return s.Failed.Render("not sent: " + common.OneLine(refused))
	case len(missing) > 0 && f.tried:
		return s.Failed.Render("blocked: every parameter is required; empty: " + strings.Join(missing, ", "))
	case len(missing) > 0 && f.forCampaign:
		return s.Dim.Render("fill every parameter ({first_name} is each recipient's), then enter takes it")
	case len(missing) > 0:
		return s.Dim.Render("fill every parameter, then enter sends")
	case f.forCampaign:
		return s.Ok.Render("↵ use for the campaign's recipients outside the window (UTILITY)")
	}
	return s.Ok.Render("↵ send as UTILITY")
}

// View is the list of templates, or the picked one's form.
func (m *Model) View() string {
	s := m.common.Styles
	switch {
	case !m.open:
		return ""
	case !m.loaded:
		return s.Dim.Render("loading templates…")
	case m.form != nil:
		return m.form.view(m.width, m.sending, m.err)
	case len(m.all) == 0:
		return s.Title.Render("Send a template · outside the 24 h window") + "\n\n" +
			strings.Join(common.Wrap("This Page has no templates here. Run `pageinbox templates sync` to fetch its "+
				"approved Utility templates from Meta (the Page needs the pages_utility_messaging permission).", m.width), "\n")
	}
	return m.pick.View() + "\n" + s.Dim.Render(common.Truncate("only approved UTILITY templates go out; never marketing", m.width))
}
