package fbgraph

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// Page custom labels (../shared/PLATFORM-2.md §1, docs/meta-platform.md
// "Custom labels"): labels a Page puts on the people it talks to, the same
// ones Meta's Page Inbox shows. Every call fails with 2/2018344
// (ClassContactTerms) until a Page admin has accepted the Page Contact
// Terms, and with ClassPermission without pages_manage_metadata; see
// LabelsUnavailable.

// subcodeContactTerms: "Privacy ToS not accepted" under code 2.
const subcodeContactTerms = 2018344

// Label is one of the Page's custom labels.
type Label struct {
	ID   string
	Name string
}

// UnmarshalJSON reads a label as Meta writes it: the id a string or a
// bare number, the name as page_label_name (v12+) or name (the v26
// reference's list answer; UNCLEAR which one Meta sends, so both).
func (l *Label) UnmarshalJSON(b []byte) error {
	var raw struct {
		ID            flexID `json:"id"`
		PageLabelName string `json:"page_label_name"`
		Name          string `json:"name"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	l.ID, l.Name = string(raw.ID), raw.PageLabelName
	if l.Name == "" {
		l.Name = raw.Name
	}
	return nil
}

// flexID is an id given as a string or as a bare number (Meta's create
// sample answers {"id": 1712444532121303}); a number keeps its digits.
type flexID string

func (f *flexID) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*f = flexID(s)
		return nil
	}
	var n json.Number
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&n); err != nil {
		return fmt.Errorf("id is neither a string nor a number: %s", b)
	}
	*f = flexID(n.String())
	return nil
}

// ContactTermsURL is where an admin of the Page accepts the Page Contact
// Terms, which the labels API needs.
func ContactTermsURL(pageID string) string {
	return "https://www.facebook.com/" + pageID + "/inbox/page_contact_tos/"
}

func contactTermsReason(link string) string {
	if link == "" {
		link = ContactTermsURL("<your Page id>")
	}
	return "Meta's labels need the Page Contact Terms accepted: a Page admin must accept them once at " +
		link + " (retrying cannot help until then)"
}

// LabelsUnavailable reports whether err means this Page or token cannot
// use Meta's labels at all (Page Contact Terms not accepted, or a
// permission missing): keep labels local, tell the person once, and do
// not retry.
func LabelsUnavailable(err error) bool {
	c := ClassOf(err)
	return c == ClassContactTerms || c == ClassPermission
}

// CreateLabel creates a Page label and returns its id.
func (c *Client) CreateLabel(ctx context.Context, pageID, name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", errors.New("graph create_label: empty label name")
	}
	if err := checkID("create_label", "page id", pageID); err != nil {
		return "", err
	}
	var out struct {
		ID flexID `json:"id"`
	}
	err := c.labelCall(ctx, "create_label", pageID, http.MethodPost, "/"+pageID+"/custom_labels", nil,
		map[string]string{"page_label_name": name}, &out)
	if err == nil && out.ID == "" {
		err = &Error{Class: ClassUnknown, Op: "create_label", Message: "Meta's answer has no label id"}
	}
	return string(out.ID), err
}

// EnsureLabel is the id of the Page's label called name, created if the
// Page has none (names match exactly).
func (c *Client) EnsureLabel(ctx context.Context, pageID, name string) (string, error) {
	labels, err := c.PageLabels(ctx, pageID)
	if err != nil {
		return "", err
	}
	for _, l := range labels {
		if l.Name == strings.TrimSpace(name) {
			return l.ID, nil
		}
	}
	return c.CreateLabel(ctx, pageID, name)
}

// PageLabels lists all the Page's labels, following Meta's paging.
func (c *Client) PageLabels(ctx context.Context, pageID string) ([]Label, error) {
	if err := checkID("page_labels", "page id", pageID); err != nil {
		return nil, err
	}
	return c.listLabels(ctx, "page_labels", pageID, "/"+pageID+"/custom_labels")
}

// LabelsOf lists the labels the Page has put on psid.
func (c *Client) LabelsOf(ctx context.Context, psid string) ([]Label, error) {
	if err := checkID("psid_labels", "PSID", psid); err != nil {
		return nil, err
	}
	return c.listLabels(ctx, "psid_labels", "", "/"+psid+"/custom_labels")
}

// LabelByID reads one label.
func (c *Client) LabelByID(ctx context.Context, labelID string) (Label, error) {
	var l Label
	if err := checkID("label", "label id", labelID); err != nil {
		return l, err
	}
	q := url.Values{"fields": {"page_label_name"}}
	err := c.labelCall(ctx, "label", "", http.MethodGet, "/"+labelID, q, nil, &l)
	return l, err
}

// AddLabel puts the label on psid.
func (c *Client) AddLabel(ctx context.Context, labelID, psid string) error {
	if err := checkIDs("add_label", labelID, psid); err != nil {
		return err
	}
	var out success
	err := c.labelCall(ctx, "add_label", "", http.MethodPost, "/"+labelID+"/label", nil,
		map[string]string{"user": psid}, &out)
	return out.check("add_label", err)
}

// RemoveLabel takes the label off psid.
func (c *Client) RemoveLabel(ctx context.Context, labelID, psid string) error {
	if err := checkIDs("remove_label", labelID, psid); err != nil {
		return err
	}
	var out success
	err := c.labelCall(ctx, "remove_label", "", http.MethodDelete, "/"+labelID+"/label",
		url.Values{"user": {psid}}, nil, &out)
	return out.check("remove_label", err)
}

// DeleteLabel deletes the label from the Page (and so from everyone).
func (c *Client) DeleteLabel(ctx context.Context, labelID string) error {
	if err := checkID("delete_label", "label id", labelID); err != nil {
		return err
	}
	var out success
	err := c.labelCall(ctx, "delete_label", "", http.MethodDelete, "/"+labelID, nil, nil, &out)
	return out.check("delete_label", err)
}

// success is Meta's {"success": true}.
type success struct {
	Success *bool `json:"success"`
}

func (s success) check(op string, err error) error {
	if err == nil && s.Success != nil && !*s.Success {
		return &Error{Class: ClassUnknown, Op: op, Message: "Meta answered success: false"}
	}
	return err
}

// listLabels walks a list of labels page by page.
func (c *Client) listLabels(ctx context.Context, op, pageID, path string) ([]Label, error) {
	q := url.Values{"fields": {"page_label_name"}, "limit": {"100"}}
	var labels []Label
	err := walkPages(ctx, c, op, path, q, func(page []Label) error {
		labels = append(labels, page...)
		return nil
	})
	if err != nil {
		return nil, withTermsLink(err, pageID)
	}
	return labels, nil
}

// labelCall is call for the labels API: a 2/2018344 gets its link.
func (c *Client) labelCall(ctx context.Context, op, pageID, method, path string, q url.Values, body, out any) error {
	return withTermsLink(c.call(ctx, op, method, path, q, body, out, ""), pageID)
}

// termsLinkRE finds the Contact Terms link in Meta's message.
var termsLinkRE = regexp.MustCompile(`https://www\.facebook\.com/[0-9A-Za-z.]+/inbox/page_contact_tos/?`)

// withTermsLink fills a ClassContactTerms error's Link: from Meta's
// message, else from the Page id when the call knows it.
func withTermsLink(err error, pageID string) error {
	var e *Error
	if !errors.As(err, &e) || e.Class != ClassContactTerms || e.Link != "" {
		return err
	}
	if l := termsLinkRE.FindString(e.Message + " " + e.UserMsg); l != "" {
		e.Link = l
	} else if pageID != "" && pageID != "me" {
		e.Link = ContactTermsURL(pageID)
	}
	return err
}

// checkID refuses an id that would change the request's path.
func checkID(op, what, id string) error {
	if id == "" || strings.ContainsAny(id, "/?#%") {
		return fmt.Errorf("graph %s: bad %s %q", op, what, id)
	}
	return nil
}

func checkIDs(op, labelID, psid string) error {
	if err := checkID(op, "label id", labelID); err != nil {
		return err
	}
	return checkID(op, "PSID", psid)
}
