package fbtest

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"testing"
)

// postUpload posts a multipart upload built by build and returns Meta's
// code, subcode and attachment_id.
func postUpload(t *testing.T, s *Server, build func(*multipart.Writer)) (code, subcode int, id string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	build(mw)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, s.URL()+"/v25.0/me/message_attachments", &buf)
	req.Header.Set("Authorization", "Bearer "+DefaultPageToken)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		AttachmentID string `json:"attachment_id"`
		Error        struct {
			Code    int `json:"code"`
			Subcode int `json:"error_subcode"`
		} `json:"error"`
	}
	json.NewDecoder(resp.Body).Decode(&out)
	return out.Error.Code, out.Error.Subcode, out.AttachmentID
}

func filePart(mw *multipart.Writer, name, contentType string, body []byte) {
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="filedata"; filename="`+name+`"`)
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	w, _ := mw.CreatePart(h)
	w.Write(body)
}

const imageMessage = `{"attachment":{"type":"image","payload":{"is_reusable":true}}}`

// The emulator refuses what Meta refuses: a filedata part labelled
// application/octet-stream (Go's CreateFormFile) or of another type than
// the attachment (2018047), no file or one without a filename (2018005),
// no message; a right one is recorded with its Content-Type and size.
func TestStreamUploadChecksTheParts(t *testing.T) {
	s := NewServer(Config{})
	defer s.Close()
	png := []byte("\x89PNG\r\n\x1a\n fake")
	cases := []struct {
		name          string
		build         func(*multipart.Writer)
		code, subcode int
	}{
		{"CreateFormFile", func(mw *multipart.Writer) {
			mw.WriteField("message", imageMessage)
			w, _ := mw.CreateFormFile("filedata", "a.png")
			w.Write(png)
		}, 100, 2018047},
		{"a PDF as an image", func(mw *multipart.Writer) {
			mw.WriteField("message", imageMessage)
			filePart(mw, "a.pdf", "application/pdf", []byte("%PDF"))
		}, 100, 2018047},
		{"no filename", func(mw *multipart.Writer) {
			mw.WriteField("message", imageMessage)
			w, _ := mw.CreateFormField("filedata")
			w.Write(png)
		}, 100, 2018005},
		{"no message", func(mw *multipart.Writer) { filePart(mw, "a.png", "image/png", png) }, 100, 0},
		{"right", func(mw *multipart.Writer) {
			mw.WriteField("message", imageMessage)
			filePart(mw, "a.png", "image/png", png)
		}, 0, 0},
	}
	for _, tc := range cases {
		code, sub, id := postUpload(t, s, tc.build)
		if code != tc.code || sub != tc.subcode || (code == 0) != (id != "") {
			t.Errorf("%s: code %d/%d id %q, want %d/%d", tc.name, code, sub, id, tc.code, tc.subcode)
		}
	}
	ups := s.Uploads()
	if len(ups) != 1 || ups[0].ContentType != "image/png" || ups[0].Type != "image" || ups[0].Size != int64(len(png)) || ups[0].Filename != "a.png" {
		t.Errorf("uploads recorded: %+v", ups)
	}
}
