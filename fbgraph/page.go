package fbgraph

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Profile is a customer's public profile.
type Profile struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	FirstName  string `json:"first_name"`
	LastName   string `json:"last_name"`
	ProfilePic string `json:"profile_pic"`
}

// Profile looks up a customer by PSID.
func (c *Client) Profile(ctx context.Context, psid string) (Profile, error) {
	var p Profile
	if psid == "" || strings.ContainsAny(psid, "/?#") {
		return p, fmt.Errorf("profile: bad PSID %q", psid)
	}
	q := url.Values{"fields": {"name,first_name,last_name,profile_pic"}}
	err := c.call(ctx, "profile", http.MethodGet, "/"+psid, q, nil, &p, "")
	if p.Name == "" {
		p.Name = strings.TrimSpace(p.FirstName + " " + p.LastName)
	}
	return p, err
}

// Name is the customer's display name (webhook.NameLookup).
func (c *Client) Name(ctx context.Context, pageID, psid string) (string, error) {
	p, err := c.Profile(ctx, psid)
	return p.Name, err
}

// Page is the Page the token belongs to.
type Page struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Me reads the token's Page: the cheapest check that the token works.
func (c *Client) Me(ctx context.Context) (Page, error) {
	var p Page
	err := c.call(ctx, "me", http.MethodGet, "/me", url.Values{"fields": {"id,name"}}, nil, &p, "")
	return p, err
}

// SubscribedApp is one app subscribed to the Page's webhooks.
type SubscribedApp struct {
	ID               string   `json:"id"`
	Name             string   `json:"name"`
	SubscribedFields []string `json:"subscribed_fields"`
}

// SubscribedApps lists the apps subscribed to the Page and their fields.
func (c *Client) SubscribedApps(ctx context.Context, pageID string) ([]SubscribedApp, error) {
	var out struct {
		Data []SubscribedApp `json:"data"`
	}
	err := c.call(ctx, "subscribed_apps", http.MethodGet, "/"+pageID+"/subscribed_apps", nil, nil, &out, "")
	return out.Data, err
}
