package s3api

import (
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
)

// The multipart/form-data body of a browser POST upload, read as it
// streams: the fields up to the "file" part are read into memory, bounded
// (maxPostFields of names and values, maxPostPreamble of raw body before
// the file, headers and boundaries included); the file part is then handed
// on unread, and nothing after it is read (S3 ignores fields after the
// file).

const (
	maxPostFields   = 20 << 10
	maxPostPreamble = 64 << 10
)

// postForm is a POST upload's fields and its file, not yet read.
type postForm struct {
	fields   map[string]string // lower-case name → value
	file     io.Reader         // nil if the form has no file part
	filename string            // the file part's file name
}

func (f *postForm) has(name string) bool {
	_, ok := f.fields[name]
	return ok
}

// preambleLimit fails reads once more than limit bytes were read, until
// disarmed.
type preambleLimit struct {
	r        io.Reader
	n, limit int64
	armed    bool
}

var errPreambleTooLarge = errors.New("s3api: POST form fields too large")

func (l *preambleLimit) Read(p []byte) (int, error) {
	if l.armed && l.n >= l.limit {
		return 0, errPreambleTooLarge
	}
	if l.armed && int64(len(p)) > l.limit-l.n {
		p = p[:l.limit-l.n]
	}
	n, err := l.r.Read(p)
	l.n += int64(n)
	return n, err
}

// postContentType checks that the body is multipart/form-data and returns
// its boundary.
func postContentType(h http.Header) (string, error) {
	mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if !strings.EqualFold(mt, "multipart/form-data") {
		e := errCode("PreconditionFailed")
		e.Condition = "Bucket POST must be of the enclosure-type multipart/form-data"
		return "", e
	}
	if err != nil || params["boundary"] == "" {
		return "", errCode("MalformedPOSTRequest")
	}
	return params["boundary"], nil
}

// readPostForm reads the fields of a POST upload up to its file part.
func readPostForm(r *http.Request) (*postForm, error) {
	boundary, err := postContentType(r.Header)
	if err != nil {
		return nil, err
	}
	if r.Body == nil {
		return nil, errCode("MalformedPOSTRequest")
	}
	body := &preambleLimit{r: r.Body, limit: maxPostPreamble, armed: true}
	mr := multipart.NewReader(body, boundary)
	form := &postForm{fields: map[string]string{}}
	room := int64(maxPostFields)
	for {
		part, err := mr.NextPart()
		switch {
		case err == io.EOF: // the closing delimiter (a body cut short is a wrapped EOF)
			return form, nil
		case errors.Is(err, errPreambleTooLarge):
			return nil, errCode("MaxPostPreDataLengthExceededError")
		case err != nil:
			return nil, errCode("MalformedPOSTRequest")
		}
		name := strings.ToLower(part.FormName())
		if name == "" {
			return nil, errCode("MalformedPOSTRequest")
		}
		if name == "file" {
			body.armed = false
			form.file, form.filename = part, part.FileName()
			return form, nil
		}
		value, err := io.ReadAll(io.LimitReader(part, room+1))
		room -= int64(len(name) + len(value))
		switch {
		case errors.Is(err, errPreambleTooLarge), room < 0:
			return nil, errCode("MaxPostPreDataLengthExceededError")
		case err != nil:
			return nil, errCode("MalformedPOSTRequest")
		case form.has(name):
			return nil, errMsg("InvalidArgument", "POST form field %s appears more than once", name)
		}
		form.fields[name] = string(value)
	}
}
