package sqlite

import (
	"bytes"
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/klauspost/compress/s2"

	"github.com/cardflow/cardflow/engine/store"
)

// Trigger payloads, journal inputs and outputs, execution outputs and
// flow-table rows are stored compressed: they were nine tenths of the file
// (an Okta event, an Okta user and a ServiceNow record are 1-2 KB of JSON
// each, mostly keys and nulls), and every byte written is written twice,
// to the WAL and by the checkpoint. Each value is one S2 block (klauspost/compress/s2, a
// faster Snappy) compressed with a built-in dictionary: what the built-in
// connectors write (an Okta event hook's payload, an Okta user, a created
// ServiceNow incident, from the connectors' fixtures), so that a single
// value of a few hundred bytes, which a compressor alone shrinks by half
// at best, shrinks to a third. S2, not zstd: zstd with the same
// dictionary shrank values a tenth more but cost ten times the CPU (a
// tenth of the engine's, by profile, most of it resetting its tables to
// the dictionary's for every value).
//
// A stored value that starts with packedMark is packed: the mark, the
// dictionary's id, the S2 block. Any other is the JSON itself: the values
// written before, and those too small or too random to gain. The mark is
// a byte UTF-8 never holds, so JSON never starts with it; a value that is
// not JSON and starts with it is packed regardless, so that reading it
// back cannot mistake it.
//
// A later dictionary gets a new id, and the old one stays here for the
// values written with it. The ids 0 (sameAsOutput) and 2 (jointID) mark
// journal entries, not dictionaries.

//go:embed blobdict.json
var blobDict []byte

// packedMark starts a packed value.
const packedMark = 0xff

// blobDictID names blobDict in the values packed with it.
const blobDictID = 1

// minPacked is the smallest value worth compressing. Each compression
// costs a few microseconds whatever the size (the encoder clears a 64 KiB
// table), which below a hundred bytes or so buys next to nothing.
const minPacked = 128

var dicts = sync.OnceValue(func() map[byte]*s2.Dict {
	d := s2.MakeDict(blobDict, nil)
	if d == nil {
		panic("sqlite store: the built-in S2 dictionary does not load") // fixed at build time
	}
	return map[byte]*s2.Dict{blobDictID: d}
})

// scratch holds the encoder's output before it is copied out at its size.
var scratch = sync.Pool{New: func() any { return new([]byte) }}

// pack is the value to store for v: packed when that is smaller (or when
// v could be mistaken for a packed value), else v itself.
func pack(v []byte) []byte {
	marked := len(v) > 0 && v[0] == packedMark
	if len(v) < minPacked && !marked {
		return v
	}
	out, ok := encode(v, []byte{packedMark, blobDictID}, len(v))
	if !ok && !marked {
		return v
	}
	return out
}

// encode is head followed by v's S2 block with blobDict, and whether that is
// shorter than limit bytes. The encoders make it (see encoders.go).
func encode(v, head []byte, limit int) ([]byte, bool) { return encoders.encode(v, head, limit) }

// encodeInline is encode on the caller's goroutine.
func encodeInline(v, head []byte, limit int) ([]byte, bool) {
	buf := scratch.Get().(*[]byte)
	defer func() {
		if cap(*buf) <= 1<<20 { // a rare large value's buffer is not kept
			scratch.Put(buf)
		}
	}()
	if n := s2.MaxEncodedLen(len(v)); cap(*buf) < n {
		*buf = make([]byte, n)
	}
	z := dicts()[blobDictID].Encode((*buf)[:cap(*buf)], v) // into buf, which is large enough
	out := make([]byte, len(head)+len(z))
	copy(out, head)
	copy(out[len(head):], z)
	return out, len(out) < limit
}

// unpack is the value stored as v.
func unpack(v []byte) ([]byte, error) {
	if len(v) == 0 || v[0] != packedMark {
		return v, nil
	}
	if len(v) < 2 || dicts()[v[1]] == nil { // sameAsOutput and jointInput are not values: see unpackEntry
		return nil, errors.New("sqlite store: a stored value is packed with an unknown dictionary")
	}
	return decode(v[1], v[2:])
}

// decode is the value of an S2 block packed with dictionary id.
func decode(id byte, block []byte) ([]byte, error) {
	out, err := dicts()[id].Decode(nil, block)
	if err != nil {
		return nil, fmt.Errorf("sqlite store: a stored value does not decompress: %w", err)
	}
	return out, nil
}

// sameAsOutput is the input stored for a journal entry whose input is its
// output, byte for byte (text.compose's are): the output is stored once.
var sameAsOutput = []byte{packedMark, 0}

// jointID marks a journal output packed together with its input (see
// packEntries): the mark, jointID, the input's length as a uvarint, then
// one S2 block of the input and the output, with blobDict.
const jointID = 2

// jointInput is the input stored for an entry whose input is packed with
// its output: a card's output often repeats much of its input (a created
// ServiceNow record holds the fields it was created with, table.put
// returns the row it wrote), which one block stores once. Only an input
// worth packing by itself is packed so: a small one stays readable as it
// is.
var jointInput = []byte{packedMark, jointID}

// packEntries is entries with their inputs, outputs and flow-table rows
// as stored (see pack), in a new slice: the caller's entries stay as they
// were.
func packEntries(entries []store.JournalEntry) []store.JournalEntry {
	if len(entries) == 0 {
		return entries
	}
	out := slices.Clone(entries)
	for i := range out {
		en := &out[i]
		en.Input, en.Output = packEntry(en.Input, en.Output)
		if len(en.Tables) > 0 {
			en.Tables = slices.Clone(en.Tables)
			for j := range en.Tables {
				if w := &en.Tables[j]; w.Row != nil { // nil deletes
					w.Row = pack(w.Row)
				}
			}
		}
	}
	return out
}

// packEntry is the input and output to store for an entry's.
func packEntry(in, out []byte) ([]byte, []byte) {
	if len(in) > len(sameAsOutput) && bytes.Equal(in, out) {
		return sameAsOutput, pack(out)
	}
	if len(in) < minPacked || len(out) == 0 {
		return pack(in), pack(out)
	}
	head := binary.AppendUvarint([]byte{packedMark, jointID}, uint64(len(in)))
	joint := make([]byte, 0, len(in)+len(out))
	joint = append(append(joint, in...), out...)
	// Stored as they are, input and output take len(joint) bytes, and a
	// marked output would have to be packed on its own anyway.
	if z, ok := encode(joint, head, len(joint)+len(jointInput)); ok {
		return jointInput, z
	}
	return pack(in), pack(out)
}

// unpackEntry is the input and output of a journal entry stored as in
// and out (see packEntries).
func unpackEntry(in, out []byte) (input, output []byte, err error) {
	if bytes.Equal(in, jointInput) {
		return unpackJoint(out)
	}
	if output, err = unpack(out); err != nil {
		return nil, nil, err
	}
	if bytes.Equal(in, sameAsOutput) {
		return output, output, nil
	}
	input, err = unpack(in)
	return input, output, err
}

// unpackJoint is the input and output packed together as v (see jointID).
func unpackJoint(v []byte) (input, output []byte, err error) {
	if len(v) < 3 || v[0] != packedMark || v[1] != jointID {
		return nil, nil, errors.New("sqlite store: a journal entry's input is packed with its output, which is not")
	}
	n, k := binary.Uvarint(v[2:])
	if k <= 0 {
		return nil, nil, errors.New("sqlite store: a journal entry's packed input has no length")
	}
	joint, err := decode(blobDictID, v[2+k:])
	if err != nil {
		return nil, nil, err
	}
	if n > uint64(len(joint)) {
		return nil, nil, errors.New("sqlite store: a journal entry's packed input is longer than what was packed")
	}
	return joint[:n:n], joint[n:], nil
}
