// Package triage is what the list does to conversations in bulk or one at
// a time: assign, label, snooze, done. Its snooze times are a small pure
// grammar, so the menu's choices and what an agent types are one parser.
package triage

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Preset is one choice of the snooze menu: what it says, and the text the
// parser reads for it (so `.` repeats a snooze from the moment it runs).
type Preset struct {
	Label, Spec string
}

// Presets are the snooze menu's fixed choices, in its order.
var Presets = []Preset{
	{"1 hour", "1h"},
	{"3 hours", "3h"},
	{"tomorrow 9:00", "tomorrow 9:00"},
	{"next Monday 9:00", "next mon 9:00"},
}

// morning is the hour a day without a time means.
const morning = 9

var weekdays = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

// ParseSnooze reads when a snooze ends, at now in zone tz:
//
//	30m 1h 3h 1h30m 2d 1w      from now (days and weeks by the calendar)
//	14:00                      today at that time, or tomorrow if it passed
//	tomorrow [9:00]            tomorrow, 9:00 unless a time is given
//	fri [14:00]                the next such weekday (today if still ahead)
//	next fri [14:00]           that weekday after today
//	2026-12-24 [09:00]         a date (and 2026-12-24T09:00)
//
// The result is always after now.
func ParseSnooze(text string, now time.Time, tz *time.Location) (time.Time, error) {
	fields := strings.Fields(strings.ToLower(strings.TrimSpace(text)))
	if len(fields) == 0 {
		return time.Time{}, errors.New("say when: 2h, tomorrow, fri 14:00, 2026-12-24 09:00")
	}
	local := now.In(tz)
	t, err := parseFields(fields, local)
	if err != nil {
		return time.Time{}, err
	}
	if !t.After(now) {
		return time.Time{}, fmt.Errorf("%s has passed", t.Format("Mon 2 Jan 15:04"))
	}
	return t, nil
}

func parseFields(fields []string, now time.Time) (time.Time, error) {
	next := len(fields) > 1 && fields[0] == "next"
	if next {
		fields = fields[1:]
	}
	if len(fields) > 2 {
		return time.Time{}, fmt.Errorf("%q: a day and a time at most", strings.Join(fields, " "))
	}
	first, clock := fields[0], ""
	if len(fields) == 2 {
		clock = fields[1]
	}
	if d, t, ok := strings.Cut(first, "t"); ok && len(d) == 10 && clock == "" {
		first, clock = d, t // 2026-12-24T09:00
	}
	if clock == "" {
		if t, ok, err := relative(first, now); ok || err != nil {
			return t, err
		}
		if h, m, err := parseClock(first); err == nil {
			return nextAt(at(now, h, m), now, 1), nil
		}
	}
	h, m := morning, 0
	if clock != "" {
		var err error
		if h, m, err = parseClock(clock); err != nil {
			return time.Time{}, err
		}
	}
	return day(first, now, h, m, next)
}

// day is the day named by word, at h:m; next: a weekday after today.
func day(word string, now time.Time, h, m int, next bool) (time.Time, error) {
	if next && !isWeekday(word) {
		return time.Time{}, fmt.Errorf("next %q: next takes a weekday", word)
	}
	switch word {
	case "today":
		return at(now, h, m), nil
	case "tomorrow", "tmr":
		return at(now.AddDate(0, 0, 1), h, m), nil
	}
	if isWeekday(word) {
		ahead := (int(weekdays[word[:3]]) - int(now.Weekday()) + 7) % 7
		if next && ahead == 0 {
			ahead = 7
		}
		return nextAt(at(now.AddDate(0, 0, ahead), h, m), now, 7), nil
	}
	if d, err := time.ParseInLocation("2006-01-02", word, now.Location()); err == nil {
		return at(d, h, m), nil
	}
	return time.Time{}, fmt.Errorf("%q: not a time (try 2h, tomorrow, fri 14:00)", word)
}

func weekdayName(wd time.Weekday) string { return strings.ToLower(wd.String()) }

func isWeekday(word string) bool {
	wd, ok := weekdays[word[:min(3, len(word))]]
	return ok && strings.HasPrefix(weekdayName(wd), word)
}

// relative reads 30m, 2h, 1h30m, 2d, 1w; ok is false for other words.
func relative(word string, now time.Time) (time.Time, bool, error) {
	if len(word) < 2 {
		return time.Time{}, false, nil
	}
	unit, num := word[len(word)-1], word[:len(word)-1]
	if unit == 'd' || unit == 'w' {
		n, err := strconv.Atoi(num)
		if err != nil {
			return time.Time{}, false, nil
		}
		if n <= 0 || n > 366 {
			return time.Time{}, true, fmt.Errorf("%q: between 1 and 366", word)
		}
		if unit == 'w' {
			n *= 7
		}
		return now.AddDate(0, 0, n), true, nil
	}
	d, err := time.ParseDuration(word)
	if err != nil || word[0] < '0' || word[0] > '9' {
		return time.Time{}, false, nil
	}
	if d <= 0 {
		return time.Time{}, true, fmt.Errorf("%q: must be ahead", word)
	}
	return now.Add(d), true, nil
}

// parseClock reads 9, 9:00, 14:30.
func parseClock(s string) (int, int, error) {
	hs, ms, hasMin := strings.Cut(s, ":")
	h, err := strconv.Atoi(hs)
	m := 0
	if err == nil && hasMin {
		if len(ms) != 2 {
			err = errors.New("minutes")
		} else {
			m, err = strconv.Atoi(ms)
		}
	}
	if err != nil || h < 0 || h > 23 || m < 0 || m > 59 {
		return 0, 0, fmt.Errorf("%q: not a time of day (like 9:00 or 14:30)", s)
	}
	return h, m, nil
}

// at is d's day at h:m in d's zone.
func at(d time.Time, h, m int) time.Time {
	return time.Date(d.Year(), d.Month(), d.Day(), h, m, 0, 0, d.Location())
}

// nextAt is t, or t moved on by days until it is after now.
func nextAt(t, now time.Time, days int) time.Time {
	for !t.After(now) {
		t = at(t.AddDate(0, 0, days), t.Hour(), t.Minute())
	}
	return t
}
