package lru

import "testing"

func TestSetStaysWithinItsBound(t *testing.T) {
	s := New[int](8)
	for i := 0; i < 100; i++ {
		if !s.Add(i) {
			t.Fatalf("Add(%d) said it was there", i)
		}
		if i == 50 {
			s.Add(45) // touched: now among the most recent
		}
	}
	if s.Len() != 8 || s.Overflow() != 92 {
		t.Errorf("len %d, overflow %d; want 8 and 92", s.Len(), s.Overflow())
	}
	for i := 92; i < 100; i++ {
		if !s.Has(i) {
			t.Errorf("%d, among the 8 newest, was dropped", i)
		}
	}
	if s.Has(45) || s.Has(0) {
		t.Error("old keys stayed")
	}
	if s.Add(99) {
		t.Error("Add(99) twice said new")
	}
	s.Remove(99)
	if s.Has(99) || s.Len() != 7 {
		t.Error("Remove left 99")
	}
}
