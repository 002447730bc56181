package fbgraph

import (
	"context"
	"errors"
	"net/http"
)

// React puts the Page's reaction on a message (PLATFORM-2 §4): sender
// action react with payload {message_id, reaction}. Sending another emoji
// changes it. The answer carries no message_id.
func (c *Client) React(ctx context.Context, psid, mid, emoji string) error {
	if psid == "" || mid == "" || emoji == "" {
		return errors.New("react: recipient, message and emoji are all needed")
	}
	body := map[string]any{"recipient": map[string]string{"id": psid}, "sender_action": "react",
		"payload": map[string]string{"message_id": mid, "reaction": emoji}}
	return c.call(ctx, "react", http.MethodPost, "/me/messages", nil, body, nil, "")
}

// Unreact takes the Page's reaction off a message.
func (c *Client) Unreact(ctx context.Context, psid, mid string) error {
	if psid == "" || mid == "" {
		return errors.New("unreact: recipient and message are both needed")
	}
	body := map[string]any{"recipient": map[string]string{"id": psid}, "sender_action": "unreact",
		"payload": map[string]string{"message_id": mid}}
	return c.call(ctx, "unreact", http.MethodPost, "/me/messages", nil, body, nil, "")
}
