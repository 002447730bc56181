package triage

import (
	"testing"
	"time"
)

func TestParseSnooze(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	// Wednesday 4 March 2026, 15:30 UTC: 16:30 in Berlin.
	now := time.Date(2026, 3, 4, 15, 30, 0, 0, time.UTC)
	b := func(mo time.Month, d, h, m int) time.Time { return time.Date(2026, mo, d, h, m, 0, 0, berlin) }
	tests := []struct {
		in   string
		want time.Time
	}{
		{"1h", now.Add(time.Hour)},
		{"3h", now.Add(3 * time.Hour)},
		{"45m", now.Add(45 * time.Minute)},
		{"1h30m", now.Add(90 * time.Minute)},
		{"2d", b(3, 6, 16, 30)},
		{"1w", b(3, 11, 16, 30)},
		{"tomorrow", b(3, 5, 9, 0)},
		{"tomorrow 9:00", b(3, 5, 9, 0)},
		{"Tomorrow 14:15", b(3, 5, 14, 15)},
		{"18:00", b(3, 4, 18, 0)}, // still ahead today
		{"9:00", b(3, 5, 9, 0)},   // passed today: tomorrow
		{"fri 14:00", b(3, 6, 14, 0)},
		{"friday", b(3, 6, 9, 0)},
		{"wed 17:00", b(3, 4, 17, 0)}, // today, still ahead
		{"wed 9:00", b(3, 11, 9, 0)},  // today has passed: next week
		{"mon 9:00", b(3, 9, 9, 0)},
		{"next mon 9:00", b(3, 9, 9, 0)},
		{"next wed 17:00", b(3, 11, 17, 0)}, // next: never today
		{"2026-12-24", b(12, 24, 9, 0)},
		{"2026-12-24 18:30", b(12, 24, 18, 30)},
		{"2026-12-24T09:00", b(12, 24, 9, 0)},
		{"2026-03-29 12:00", b(3, 29, 12, 0)}, // after the switch to summer time
	}
	for _, tt := range tests {
		got, err := ParseSnooze(tt.in, now, berlin)
		if err != nil {
			t.Errorf("ParseSnooze(%q): %v", tt.in, err)
			continue
		}
		if !got.Equal(tt.want) {
			t.Errorf("ParseSnooze(%q) = %v, want %v", tt.in, got.In(berlin), tt.want)
		}
	}
}

func TestParseSnoozeRefuses(t *testing.T) {
	now := time.Date(2026, 3, 4, 15, 30, 0, 0, time.UTC)
	for _, in := range []string{"", "   ", "soon", "25:00", "9:7", "0h", "-2h", "0d", "400d",
		"2026-01-01", "today 8:00", "next tomorrow", "fri 14:00 extra", "x1h", "h"} {
		if got, err := ParseSnooze(in, now, time.UTC); err == nil {
			t.Errorf("ParseSnooze(%q) = %v, want an error", in, got)
		}
	}
}

func TestPresetsParse(t *testing.T) {
	now := time.Date(2026, 3, 9, 8, 0, 0, 0, time.UTC) // a Monday before 9
	want := []time.Time{now.Add(time.Hour), now.Add(3 * time.Hour),
		time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC), time.Date(2026, 3, 16, 9, 0, 0, 0, time.UTC)}
	for i, p := range Presets {
		got, err := ParseSnooze(p.Spec, now, time.UTC)
		if err != nil || !got.Equal(want[i]) {
			t.Errorf("preset %q (%q) = %v, %v; want %v", p.Label, p.Spec, got, err, want[i])
		}
	}
}
