package tui

import (
	"context"

	"github.com/pageinbox/pageinbox/store"
)

type presenceCall struct {
	Key    store.ConvKey
	Typing bool
}

func (f *fakeBackend) Presence(ctx context.Context, key store.ConvKey, typing bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.begin(ctx, "Presence"); err != nil {
		return err
	}
	f.presence = append(f.presence, presenceCall{key, typing})
	return nil
}
