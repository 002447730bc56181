package store

import (
	"bufio"
	"context"
	"encoding/json"
	"io"

	bolt "go.etcd.io/bbolt"
)

// exportNote is a private note as `export --notes` writes it: a row
// beside the messages, with "direction":"note" and its author.
type exportNote struct {
	PageID    string `json:"page_id"`
	PSID      string `json:"psid"`
	Direction string `json:"direction"`
	Agent     string `json:"agent"`
	Text      string `json:"text"`
	Time      string `json:"time"`
}

// ExportNotes writes every private note as a JSON line, thread by thread
// and oldest first. Export leaves them out: they are the team's, and plain
// export stays as it was.
func (s *Store) ExportNotes(ctx context.Context, w io.Writer) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	err := s.view(ctx, func(tx *bolt.Tx) error {
		return tx.Bucket(bNotes).ForEach(func(_, v []byte) error {
			var n Note
			if err := json.Unmarshal(v, &n); err != nil {
				return err
			}
			return enc.Encode(exportNote{PageID: n.PageID, PSID: n.PSID, Direction: "note", Agent: n.Author,
				Text: n.Text, Time: formatTime(n.Time)})
		})
	})
	if err != nil {
		return err
	}
	return bw.Flush()
}
