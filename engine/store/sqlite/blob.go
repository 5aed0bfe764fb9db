package sqlite

import (
	"bytes"
	_ "embed"
	"fmt"
	"slices"
	"sync"

	"github.com/klauspost/compress/zstd"

	"github.com/cardflow/cardflow/engine/store"
)

// Trigger payloads, journal inputs and outputs and execution outputs are
// stored compressed: they were nine tenths of the file (an Okta event, an
// Okta user and a ServiceNow record are 1-2 KB of JSON each, mostly keys
// and nulls), and every byte written is written twice, to the WAL and by
// the checkpoint. Each value is one zstd frame (RFC 8878) compressed with
// a built-in dictionary: what the built-in connectors write (an Okta event
// hook's payload, an Okta user, a created ServiceNow incident, from the
// connectors' fixtures), so that a single value of a few hundred bytes,
// which zstd alone shrinks by half at best, shrinks to a quarter.
//
// A stored value that starts with zstd's magic number is a frame; any
// other is the JSON itself: the values written before, and those too small
// to gain. JSON never starts with the magic's first byte, '('; a value that
// is not JSON and starts with the magic is stored as a frame regardless,
// so that reading it back cannot mistake it.
//
// The frame names its dictionary by id: a later dictionary gets a new id
// and the old one stays here for the values written with it.

//go:embed blobdict.json
var blobDict []byte

// blobDictID names blobDict in the frames compressed with it.
const blobDictID = 1

// minPacked is the smallest value worth compressing: below it the frame's
// header and the CPU cost more than they save.
const minPacked = 48

var zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}

var blobCodec struct {
	once sync.Once
	enc  *zstd.Encoder
	dec  *zstd.Decoder
	err  error
}

func codec() (*zstd.Encoder, *zstd.Decoder, error) {
	c := &blobCodec
	c.once.Do(func() {
		c.enc, c.err = zstd.NewWriter(nil,
			zstd.WithEncoderLevel(zstd.SpeedFastest),
			zstd.WithEncoderDictRaw(blobDictID, blobDict),
			zstd.WithEncoderCRC(false), // SQLite's pages are what a value is kept in
		)
		if c.err == nil {
			c.dec, c.err = zstd.NewReader(nil,
				zstd.WithDecoderDictRaw(blobDictID, blobDict),
				zstd.WithDecoderLowmem(true),
				zstd.WithDecoderMaxMemory(1<<30))
		}
	})
	return c.enc, c.dec, c.err
}

// pack is the value to store for v: a zstd frame when that is smaller (or
// when v could be mistaken for one), else v itself.
func pack(v []byte) []byte {
	framed := bytes.HasPrefix(v, zstdMagic)
	if len(v) < minPacked && !framed {
		return v
	}
	enc, _, err := codec()
	if err != nil {
		panic(fmt.Sprintf("sqlite store: zstd: %v", err)) // options fixed at build time
	}
	z := enc.EncodeAll(v, make([]byte, 0, len(v)/2+32))
	if len(z) >= len(v) && !framed {
		return v
	}
	return z
}

// unpack is the value stored as v.
func unpack(v []byte) ([]byte, error) {
	if !bytes.HasPrefix(v, zstdMagic) {
		return v, nil
	}
	_, dec, err := codec()
	if err == nil {
		v, err = dec.DecodeAll(v, nil)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite store: a stored value does not decompress: %w", err)
	}
	return v, nil
}

// packEntries is entries with their inputs and outputs as stored (see
// pack), in a new slice: the caller's entries stay as they were.
func packEntries(entries []store.JournalEntry) []store.JournalEntry {
	if len(entries) == 0 {
		return entries
	}
	out := slices.Clone(entries)
	for i := range out {
		out[i].Input, out[i].Output = pack(out[i].Input), pack(out[i].Output)
	}
	return out
}
