package fbgraph

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// App is a Meta app's credentials, for the calls made as the app (the
// token exchange, debug_token) rather than as a Page.
type App struct {
	ID, Secret string
}

// accessToken is the app access token "id|secret", for debug_token.
func (a App) accessToken() string { return a.ID + "|" + a.Secret }

// LongLived is the answer of a token exchange.
type LongLived struct {
	Token     string
	ExpiresIn time.Duration // 0: Meta did not say (system-user tokens do not expire)
}

// ExchangeToken trades the client's token (a user's or a system user's)
// for a long-lived one (Meta's "fb_exchange_token" grant).
//
// Meta documents the exchange as a GET with the tokens in the query. We
// POST them as a form instead, as OAuth 2 token endpoints take (RFC 6749
// §3.2), so neither the user token nor the app secret is ever part of a URL
// that a proxy, a log or a url.Error could print.
func (c *Client) ExchangeToken(ctx context.Context, app App) (LongLived, error) {
	form := url.Values{
		"grant_type":        {"fb_exchange_token"},
		"client_id":         {app.ID},
		"client_secret":     {app.Secret},
		"fb_exchange_token": {c.token},
	}
	var out struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		ExpiresIn   int64  `json:"expires_in"`
	}
	if err := c.postForm(ctx, "oauth_exchange", "/oauth/access_token", form, "", &out); err != nil {
		return LongLived{}, err
	}
	if out.AccessToken == "" {
		return LongLived{}, fmt.Errorf("graph oauth_exchange: the answer carries no access_token")
	}
	return LongLived{Token: out.AccessToken, ExpiresIn: time.Duration(out.ExpiresIn) * time.Second}, nil
}

// Account is one Page the token's user manages (/me/accounts), with that
// Page's own access token.
type Account struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	AccessToken string   `json:"access_token"`
	Tasks       []string `json:"tasks"`
}

// maxAccountPages bounds the paging of /me/accounts: a loop in Meta's
// cursors must not spin for ever.
const maxAccountPages = 100

// Accounts lists every Page the token's user manages, following the
// cursors page by page.
func (c *Client) Accounts(ctx context.Context) ([]Account, error) {
	var all []Account
	after := ""
	for range maxAccountPages {
		q := url.Values{"fields": {"id,name,access_token,tasks"}, "limit": {"100"}}
		if after != "" {
			q.Set("after", after)
		}
		var out struct {
			Data   []Account `json:"data"`
			Paging struct {
				Cursors struct {
					After string `json:"after"`
				} `json:"cursors"`
				Next string `json:"next"`
			} `json:"paging"`
		}
		if err := c.call(ctx, "accounts", http.MethodGet, "/me/accounts", q, nil, &out, ""); err != nil {
			return nil, err
		}
		all = append(all, out.Data...)
		// Meta's rule: no "next" link means the last page.
		if out.Paging.Next == "" || out.Paging.Cursors.After == "" || len(out.Data) == 0 {
			return all, nil
		}
		after = out.Paging.Cursors.After
	}
	return nil, fmt.Errorf("graph accounts: more than %d pages of Pages; giving up", maxAccountPages)
}

// Subscribe subscribes the app to the Page's webhook fields. The client
// must hold that Page's token.
func (c *Client) Subscribe(ctx context.Context, pageID string, fields []string) error {
	return c.subscribedApps(ctx, "subscribe", http.MethodPost, pageID, map[string]any{"subscribed_fields": fields})
}

// Unsubscribe removes the app's webhook subscription from the Page. The
// client must hold that Page's token.
func (c *Client) Unsubscribe(ctx context.Context, pageID string) error {
	return c.subscribedApps(ctx, "unsubscribe", http.MethodDelete, pageID, nil)
}

// subscribedApps changes /{page}/subscribed_apps; Meta answers success.
func (c *Client) subscribedApps(ctx context.Context, op, method, pageID string, body any) error {
	if pageID == "" || strings.ContainsAny(pageID, "/?#") {
		return fmt.Errorf("%s: bad Page id %q", op, pageID)
	}
	var out struct {
		Success bool `json:"success"`
	}
	if err := c.call(ctx, op, method, "/"+pageID+"/subscribed_apps", nil, body, &out, ""); err != nil {
		return err
	}
	if !out.Success {
		return fmt.Errorf("graph %s: Meta did not answer success", op)
	}
	return nil
}

// TokenInfo is what debug_token says of a token.
type TokenInfo struct {
	Valid  bool
	Type   string // USER, PAGE, SYSTEM_USER, APP
	AppID  string
	PageID string // profile_id: a Page token's Page
	// Expires is when the token stops working; zero: it does not expire.
	Expires time.Time
	// DataAccessExpires is when the app's access to the user's data ends
	// unless they use the app again; zero: no such limit.
	DataAccessExpires time.Time
	Scopes            []string
	Problem           string // Meta's reason, when not valid
}

// DebugToken asks Meta about input as the app (app access token
// "id|secret").
//
// Meta documents a GET with input_token in the query. We send a POST with
// method=GET and the token in the form body (the Graph API's method
// override), so the token never sits in a URL.
func (c *Client) DebugToken(ctx context.Context, app App, input string) (TokenInfo, error) {
	form := url.Values{"method": {"GET"}, "input_token": {input}}
	var out struct {
		Data struct {
			IsValid             bool     `json:"is_valid"`
			Type                string   `json:"type"`
			AppID               string   `json:"app_id"`
			ProfileID           string   `json:"profile_id"`
			ExpiresAt           int64    `json:"expires_at"`
			DataAccessExpiresAt int64    `json:"data_access_expires_at"`
			Scopes              []string `json:"scopes"`
			Error               struct {
				Message string `json:"message"`
			} `json:"error"`
		} `json:"data"`
	}
	if err := c.postForm(ctx, "debug_token", "/debug_token", form, app.accessToken(), &out); err != nil {
		return TokenInfo{}, err
	}
	d := out.Data
	return TokenInfo{Valid: d.IsValid, Type: d.Type, AppID: d.AppID, PageID: d.ProfileID,
		Expires: unixOrZero(d.ExpiresAt), DataAccessExpires: unixOrZero(d.DataAccessExpiresAt),
		Scopes: d.Scopes, Problem: d.Error.Message}, nil
}

func unixOrZero(s int64) time.Time {
	if s <= 0 {
		return time.Time{}
	}
	return time.Unix(s, 0)
}

// postForm POSTs an urlencoded form, once: neither the exchange nor
// debug_token is worth a retry the person at the prompt cannot see.
// bearer, when set, is the Authorization token instead of the client's.
func (c *Client) postForm(ctx context.Context, op, path string, form url.Values, bearer string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/"+c.version+path,
		bytes.NewReader([]byte(form.Encode())))
	if err != nil {
		return fmt.Errorf("graph %s: %w", op, redactErr(err))
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	return c.answer(ctx, op, req, out, "")
}
