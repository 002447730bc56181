package inbox_test

import (
	"context"
	"testing"

	"github.com/pageinbox/pageinbox/inbox"
)

// The Service's status carries the token warning it was given, asked
// anew at each status, and none without one.
func TestStatusCarriesTokenWarning(t *testing.T) {
	st := openStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	warning := "token of Second Shop expires in 3 days"
	svc := inbox.Start(ctx, st, inbox.Options{TokenWarning: func() string { return warning }})
	defer func() { cancel(); svc.Wait() }()
	s, err := svc.Status(ctx)
	if err != nil || s.TokenWarning != warning {
		t.Fatalf("status %+v, %v; want the warning", s, err)
	}
	warning = ""
	if s, _ := svc.Status(ctx); s.TokenWarning != "" {
		t.Fatalf("warning %q after it went", s.TokenWarning)
	}
}
