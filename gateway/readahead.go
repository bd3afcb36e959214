package gateway

import (
	"io"
)

// readAhead runs produce on a goroutine of its own, writing into a pipe
// that is copied into w meanwhile: what produce does to make the bytes
// (read and open upstream objects) and what w does with them (seal and
// write) run at once, with nothing buffered beyond the copy's buffer. The
// error is produce's if it failed first (the copy then reads it from the
// pipe), else the copy's (w failed; produce, still writing, is stopped);
// produce has returned when readAhead does.
func readAhead(w io.Writer, produce func(io.Writer) error) error {
	pr, pw := io.Pipe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = pw.CloseWithError(produce(pw)) // nil: the reader sees io.EOF
	}()
	_, cerr := io.Copy(w, pr)
	_ = pr.CloseWithError(errWriteAborted) // a produce still writing stops
	<-done
	return cerr
}
