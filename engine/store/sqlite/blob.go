package sqlite

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/klauspost/compress/s2"

	"github.com/cardflow/cardflow/engine/store"
)

// Trigger payloads, journal inputs and outputs and execution outputs are
// stored compressed: they were nine tenths of the file (an Okta event, an
// Okta user and a ServiceNow record are 1-2 KB of JSON each, mostly keys
// and nulls), and every byte written is written twice, to the WAL and by
// the checkpoint. Each value is one S2 block (klauspost/compress/s2, a
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
// values written with it.

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
	if 2+len(z) >= len(v) && !marked {
		return v
	}
	out := make([]byte, 2+len(z))
	out[0], out[1] = packedMark, blobDictID
	copy(out[2:], z)
	return out
}

// unpack is the value stored as v.
func unpack(v []byte) ([]byte, error) {
	if len(v) == 0 || v[0] != packedMark {
		return v, nil
	}
	if len(v) < 2 || dicts()[v[1]] == nil { // sameAsOutput is not a value: see unpackEntry
		return nil, errors.New("sqlite store: a stored value is packed with an unknown dictionary")
	}
	out, err := dicts()[v[1]].Decode(nil, v[2:])
	if err != nil {
		return nil, fmt.Errorf("sqlite store: a stored value does not decompress: %w", err)
	}
	return out, nil
}

// sameAsOutput is the input stored for a journal entry whose input is its
// output, byte for byte (text.compose's are): the output is stored once.
var sameAsOutput = []byte{packedMark, 0}

// packEntries is entries with their inputs and outputs as stored (see
// pack), in a new slice: the caller's entries stay as they were.
func packEntries(entries []store.JournalEntry) []store.JournalEntry {
	if len(entries) == 0 {
		return entries
	}
	out := slices.Clone(entries)
	for i := range out {
		en := &out[i]
		if len(en.Input) > len(sameAsOutput) && bytes.Equal(en.Input, en.Output) {
			en.Input, en.Output = sameAsOutput, pack(en.Output)
			continue
		}
		en.Input, en.Output = pack(en.Input), pack(en.Output)
	}
	return out
}

// unpackEntry is the input and output of a journal entry stored as in
// and out (see packEntries).
func unpackEntry(in, out []byte) (input, output []byte, err error) {
	if output, err = unpack(out); err != nil {
		return nil, nil, err
	}
	if bytes.Equal(in, sameAsOutput) {
		return output, output, nil
	}
	input, err = unpack(in)
	return input, output, err
}
