package main

import (
	"bytes"
	"encoding/json"
	"io"
)

// pageLines passes on the JSON Lines of one Page (their "page_id") and
// drops the others: `export --page` filters the store's export, the
// same through a daemon or on the file.
type pageLines struct {
	w       io.Writer
	pageID  string
	partial []byte // a line not ended yet
}

func (p *pageLines) Write(b []byte) (int, error) {
	p.partial = append(p.partial, b...)
	for {
		i := bytes.IndexByte(p.partial, '\n')
		if i < 0 {
			return len(b), nil
		}
		line := p.partial[:i+1]
		var row struct {
			PageID string `json:"page_id"`
		}
		if json.Unmarshal(line, &row) == nil && row.PageID == p.pageID {
			if _, err := p.w.Write(line); err != nil {
				return 0, err
			}
		}
		p.partial = p.partial[i+1:]
	}
}

// forPage is w filtered to the Page pageID; "" is every Page.
func forPage(w io.Writer, pageID string) io.Writer {
	if pageID == "" {
		return w
	}
	return &pageLines{w: w, pageID: pageID}
}
