package fbtest

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"time"
)

// keyed is an item with its sort key; lists are sorted by key, descending.
type keyed struct {
	key string
	v   any
}

func encodeCursor(key string) string { return base64.RawURLEncoding.EncodeToString([]byte(key)) }

func decodeCursor(c string) (string, bool) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	return string(b), err == nil && len(b) > 0
}

// paginate cuts one page out of items (sorted by key, descending) after
// or before a cursor. Cursors are keys, not positions, so deleting or
// adding items never repeats one that was already shown in place.
func paginate(items []keyed, limit int, after, before string) (page []keyed, hasPrev, hasNext bool, e *apiError) {
	var start, end int
	switch {
	case after != "":
		k, ok := decodeCursor(after)
		if !ok {
			return nil, false, false, invalid("Param after is not a valid cursor")
		}
		start = len(items)
		for i, it := range items {
			if it.key < k {
				start = i
				break
			}
		}
		end = min(start+limit, len(items))
	case before != "":
		k, ok := decodeCursor(before)
		if !ok {
			return nil, false, false, invalid("Param before is not a valid cursor")
		}
		end = 0
		for i, it := range items {
			if it.key > k {
				end = i + 1
			}
		}
		start = max(0, end-limit)
	default:
		end = min(limit, len(items))
	}
	return items[start:end], start > 0, end < len(items), nil
}

// pageJSON is {"data":[...],"paging":{"cursors":{...},"previous","next"}}.
func pageJSON(c *call, items []keyed, hasPrev, hasNext bool) map[string]any {
	data := make([]any, len(items))
	for i, it := range items {
		data[i] = it.v
	}
	out := map[string]any{"data": data}
	if len(items) == 0 {
		return out
	}
	first, last := encodeCursor(items[0].key), encodeCursor(items[len(items)-1].key)
	paging := map[string]any{"cursors": map[string]any{"before": first, "after": last}}
	if hasNext {
		paging["next"] = pageURL(c, "after", last)
	}
	if hasPrev {
		paging["previous"] = pageURL(c, "before", first)
	}
	out["paging"] = paging
	return out
}

// pageURL is the request's own URL (on the host the caller used) with the
// cursor replaced. Like Graph, it keeps the caller's query parameters,
// access_token and appsecret_proof included when they came in the query.
func pageURL(c *call, which, cursor string) string {
	q := c.r.URL.Query()
	q.Del("after")
	q.Del("before")
	q.Set(which, cursor)
	u := url.URL{Scheme: "http", Host: c.r.Host, Path: c.r.URL.Path, RawQuery: q.Encode()}
	return u.String()
}

func sortKey(t time.Time, tie string) string {
	return fmt.Sprintf("%020d|%s", t.UnixNano(), tie)
}
