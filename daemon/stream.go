package daemon

import (
	"net/http"
	"time"
)

// streamIdle is how long a streaming answer (export, backup) waits on a
// client that stopped reading before giving up on it.
const streamIdle = 30 * time.Second

// streamWriter moves the connection's write deadline on before every
// write. The API server's WriteTimeout bounds a whole answer, which would
// cut an export of a million messages or a large backup midway; a stream
// is bounded per write instead, so only a client that stops reading is
// cut.
type streamWriter struct {
	w  http.ResponseWriter
	rc *http.ResponseController
}

func newStreamWriter(w http.ResponseWriter) streamWriter {
	return streamWriter{w: w, rc: http.NewResponseController(w)}
}

func (s streamWriter) Write(p []byte) (int, error) {
	_ = s.rc.SetWriteDeadline(time.Now().Add(streamIdle)) // unsupported: the server's own timeout stands
	return s.w.Write(p)
}
