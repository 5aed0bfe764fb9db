package memory

import (
	"encoding/binary"
	"errors"
	"time"

	"github.com/cardflow/cardflow/engine/store"
)

// journal is an execution's journal, its entries encoded one after the
// other in a byte slice. A test's store keeps every attempt of every
// execution: as store.JournalEntry values (256 bytes each, with pointers,
// plus copies of their input and output) they were most of what the
// garbage collector scanned and most of what a card cost to append; as
// bytes they are a fifth the size and the collector skips them.
type journal struct {
	buf []byte
	n   int // entries in buf
}

// append encodes en at the end of the journal. Its Seq is n+1, implied by
// its place; its table writes are the store's to apply, not to keep.
func (j *journal) append(en *store.JournalEntry) {
	if j.buf == nil {
		j.buf = make([]byte, 0, 1024)
	}
	b := j.buf
	for _, s := range [...]string{en.Card, en.Key, string(en.Status), en.Error, en.ErrorKind} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	b = appendBytes(b, en.Input)
	b = appendBytes(b, en.Output)
	b = binary.AppendUvarint(b, uint64(en.Attempt))
	b = appendTime(b, en.StartedAt)
	b = appendTime(b, en.EndedAt)
	j.buf = b
	j.n++
}

// entries decodes the journal of execution id.
func (j *journal) entries(id string) ([]store.JournalEntry, error) {
	out := make([]store.JournalEntry, 0, j.n)
	d := decoder{b: j.buf}
	for len(d.b) > 0 && d.err == nil {
		en := store.JournalEntry{ExecutionID: id, Seq: len(out) + 1}
		en.Card, en.Key = d.string(), d.string()
		en.Status = store.EntryStatus(d.string())
		en.Error, en.ErrorKind = d.string(), d.string()
		en.Input, en.Output = d.bytes(), d.bytes()
		en.Attempt = int(d.uvarint())
		en.StartedAt, en.EndedAt = d.time(), d.time()
		out = append(out, en)
	}
	return out, d.err
}

// appendBytes encodes b with its length plus one: 0 is nil, 1 is empty.
func appendBytes(buf, b []byte) []byte {
	if b == nil {
		return binary.AppendUvarint(buf, 0)
	}
	buf = binary.AppendUvarint(buf, uint64(len(b))+1)
	return append(buf, b...)
}

// appendTime encodes t in UTC to the nanosecond; the zero time stays zero.
func appendTime(buf []byte, t time.Time) []byte {
	buf = binary.AppendVarint(buf, t.Unix())
	return binary.AppendUvarint(buf, uint64(t.Nanosecond()))
}

var errCorrupt = errors.New("memory store: corrupt journal")

type decoder struct {
	b   []byte
	err error
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) take(n uint64) []byte {
	if n > uint64(len(d.b)) {
		d.fail()
		return nil
	}
	p := d.b[:n:n]
	d.b = d.b[n:]
	return p
}

func (d *decoder) string() string { return string(d.take(d.uvarint())) }

// bytes returns a copy: the journal's buffer is not the caller's.
func (d *decoder) bytes() []byte {
	n := d.uvarint()
	if n == 0 {
		return nil
	}
	return append([]byte{}, d.take(n-1)...)
}

func (d *decoder) time() time.Time {
	sec := d.varint()
	return time.Unix(sec, int64(d.uvarint())).UTC()
}

func (d *decoder) fail() {
	if d.err == nil {
		d.err = errCorrupt
	}
	d.b = nil
}
