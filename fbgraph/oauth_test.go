package fbgraph_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pageinbox/pageinbox/fbgraph"
	"github.com/pageinbox/pageinbox/fbgraph/fbtest"
)

const userToken = "EAAshortlivedUSERtoken"

func newOAuthServer(t *testing.T, now time.Time) *fbtest.Server {
	t.Helper()
	srv := fbtest.NewServer(fbtest.Config{Now: func() time.Time { return now }})
	t.Cleanup(srv.Close)
	srv.AddUserToken(fbtest.UserToken{Token: userToken, Expires: now.Add(2 * time.Hour)})
	return srv
}

func userClient(srv *fbtest.Server, token string) *fbgraph.Client {
	return fbgraph.New(fbgraph.Options{BaseURL: srv.URL(), PageToken: token, MaxAttempts: 1})
}

// The exchange gives a long-lived token that lists the Page with its
// token; neither the user token nor the app secret is ever in a URL.
func TestExchangeAndAccounts(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	srv := newOAuthServer(t, now)
	ctx := context.Background()
	app := fbgraph.App{ID: fbtest.DefaultAppID, Secret: fbtest.DefaultAppSecret}

	ll, err := userClient(srv, userToken).ExchangeToken(ctx, app)
	if err != nil {
		t.Fatal(err)
	}
	if ll.Token == "" || ll.Token == userToken || ll.ExpiresIn < 50*24*time.Hour {
		t.Fatalf("exchange gave %q expiring in %v; want a new ~60-day token", ll.Token, ll.ExpiresIn)
	}
	accts, err := userClient(srv, ll.Token).Accounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(accts) != 1 || accts[0].ID != srv.PageID() || accts[0].AccessToken != fbtest.DefaultPageToken {
		t.Fatalf("accounts = %+v; want the emulator's Page with its token", accts)
	}
	for _, r := range srv.Requests() {
		for _, s := range []string{userToken, ll.Token, fbtest.DefaultAppSecret} {
			if strings.Contains(r.Path+"?"+r.RawQuery, s) {
				t.Errorf("%s %s?%s carries a secret in its URL", r.Method, r.Path, r.RawQuery)
			}
		}
	}

	_, err = userClient(srv, userToken).ExchangeToken(ctx, fbgraph.App{ID: app.ID, Secret: "wrong"})
	if err == nil || strings.Contains(err.Error(), "wrong") {
		t.Fatalf("exchange with a wrong secret: %v; want an error without the secret", err)
	}
}

// Accounts follows the cursors to the last page: two Pages, one an answer.
func TestAccountsFollowsCursors(t *testing.T) {
	srv := fbtest.NewServer(fbtest.Config{Pages: []fbtest.Page{{ID: "2000000000000002", Name: "Second Shop", Token: "tok-b"}}})
	t.Cleanup(srv.Close)
	srv.AddUserToken(fbtest.UserToken{Token: userToken})
	srv.SetAccountsPageSize(1)
	accts, err := userClient(srv, userToken).Accounts(context.Background())
	if err != nil || len(accts) != 2 || accts[1].ID != "2000000000000002" || accts[1].AccessToken != "tok-b" {
		t.Fatalf("accounts = %+v, %v; want both Pages with their tokens", accts, err)
	}
	calls := 0
	for _, r := range srv.Requests() {
		if strings.HasSuffix(r.Path, "/me/accounts") {
			calls++
		}
	}
	if calls != 2 {
		t.Errorf("%d calls to /me/accounts, want 2 (one per page of the answer)", calls)
	}
}

// debug_token reports expiry and scopes, and a dropped scope is gone.
func TestDebugToken(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	srv := newOAuthServer(t, now)
	ctx := context.Background()
	app := fbgraph.App{ID: fbtest.DefaultAppID, Secret: fbtest.DefaultAppSecret}
	expires := now.Add(5 * 24 * time.Hour)
	srv.SetTokenInfo(fbtest.DefaultPageToken, fbtest.TokenInfo{Expires: expires})
	srv.DropScope("pages_manage_metadata")

	gc := fbgraph.New(fbgraph.Options{BaseURL: srv.URL(), MaxAttempts: 1})
	info, err := gc.DebugToken(ctx, app, fbtest.DefaultPageToken)
	if err != nil {
		t.Fatal(err)
	}
	if !info.Valid || info.Type != "PAGE" || info.PageID != srv.PageID() || !info.Expires.Equal(expires) {
		t.Fatalf("info = %+v; want a valid PAGE token of the Page expiring %v", info, expires)
	}
	if slices.Contains(info.Scopes, "pages_manage_metadata") || !slices.Contains(info.Scopes, "pages_messaging") {
		t.Fatalf("scopes = %v; want pages_messaging and not the dropped pages_manage_metadata", info.Scopes)
	}
	bad, err := gc.DebugToken(ctx, app, "not-a-token")
	if err != nil || bad.Valid || bad.Problem == "" {
		t.Fatalf("unknown token: %+v, %v; want is_valid false with a reason", bad, err)
	}
	if _, err := gc.DebugToken(ctx, fbgraph.App{ID: app.ID, Secret: "nope"}, fbtest.DefaultPageToken); fbgraph.ClassOf(err) != fbgraph.ClassTokenInvalid {
		t.Fatalf("wrong app secret: %v; want a token error", err)
	}
}

// Subscribe sets the Page's webhook fields.
func TestSubscribe(t *testing.T) {
	srv := newOAuthServer(t, time.Now())
	fields := []string{"messages", "standby", "inbox_labels"}
	if err := userClient(srv, fbtest.DefaultPageToken).Subscribe(context.Background(), srv.PageID(), fields); err != nil {
		t.Fatal(err)
	}
	if got := srv.SubscribedFields(); !slices.Equal(got, fields) {
		t.Fatalf("subscribed = %v, want %v", got, fields)
	}
}
