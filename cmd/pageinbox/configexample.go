package main

import (
	"fmt"
	"strings"
)

// defaultConfigTOML is `pageinbox config --default`: a complete config file
// holding every default, with what each setting does. Loading it changes
// nothing (a test checks), so it is a safe start to edit.
func defaultConfigTOML() string {
	c, _ := resolveConfig(func(string) string { return "" }, nil) // no file: nothing can fail
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format+"\n", a...) }
	w(`# pageinbox configuration: $XDG_CONFIG_HOME/pageinbox/config.toml, else`)
	w(`# ~/.config/pageinbox/config.toml; --config FILE or PAGEINBOX_CONFIG name another.`)
	w(`# Every value below is the default. Precedence: default < this file <`)
	w(`# environment < flag; ` + "`pageinbox config`" + ` shows where each value came from.`)
	w(`# Secrets (page tokens, the app secret, the verify token, API tokens) are`)
	w(`# refused here: they come from the environment or ` + "`pageinbox pages connect`" + `.`)
	w(`# An SSH session's TUI uses the server's file.`)
	w(``)
	w(`# The time zone the TUI shows times and reads snoozes in (an IANA name).`)
	w(`# Unset: the local zone (TZ).`)
	w(`# timezone = "Europe/Paris"`)
	w(``)
	w(`[defaults]`)
	for _, d := range c.defaultsTable() {
		w(`# %s`, d.doc)
		if s, ok := d.value.(string); ok && s == "" {
			w(`# %s = ""`, d.name)
			continue
		}
		w(`%s = %s`, d.name, tomlValue(d.value))
	}
	w(``)
	w(`[notify]`)
	w(`# Ring the terminal's bell for a new customer message (PAGEINBOX_BELL=0: no).`)
	w(`bell = %t`, c.Bell)
	w(`# Desktop notifications written to the terminal: "off", "osc9" or "osc777"`)
	w(`# (PAGEINBOX_NOTIFY_DESKTOP); opt-in, as a terminal that knows neither may print them.`)
	w(`desktop = "off"`)
	w(`# The unread count in the terminal's and tmux's window title (PAGEINBOX_TITLE=1).`)
	w(`title = %t`, c.Notify.Title)
	w(`# A local program run for news, argv and not a shell line; {title}, {name},`)
	w(`# {text} and {count} are replaced by inert text. It runs with the secrets`)
	w(`# taken out of its environment, never for SSH sessions (PAGEINBOX_NOTIFY_COMMAND,`)
	w(`# a JSON array).`)
	w(`# command = ["notify-send", "pageinbox", "{name}: {text}"]`)
	w(``)
	w(`[theme]`)
	w(`# Colours: an ANSI number 0-255 or "#rrggbb", for a light and a dark`)
	w(`# background (the terminal's decides). NO_COLOR or no_color: none at all.`)
	for _, tc := range c.Theme.Colours() {
		w(`# %s`, tc.Doc)
		w(`%s = { light = %s, dark = %s }`, tc.Name, tomlString(tc.Colour.Light), tomlString(tc.Colour.Dark))
	}
	w(``)
	w(`[keys]`)
	w(`# Each action's keys as Bubble Tea names them: "q", "Q", "ctrl+c", "enter",`)
	w(`# "esc", "tab", "up", "pgdown", " " (space). Two actions read in the same`)
	w(`# place (in parentheses) may not share a key; pageinbox refuses to start.`)
	for _, a := range c.Keys.Actions() {
		w(`%s = %s  # %s (%s)`, a.Name, tomlValue(a.Binding.Keys()), actionDoc(a.Name, a.Binding.Help().Desc),
			strings.Join(a.Contexts, ", "))
	}
	return b.String()
}

// actionDoc is the help text of an action, for the two help leaves out.
func actionDoc(name, desc string) string {
	switch {
	case desc != "":
		return desc
	case name == "search_leave":
		return "leave the search box, moving in the list"
	case name == "form_newline":
		return "a new line in a campaign's message"
	}
	return name
}
