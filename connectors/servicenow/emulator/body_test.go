package emulator

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// TestAppendAllReadsAsReadAll: appendAll returns what io.ReadAll returns,
// from a reader that hands out a byte at a time, one that fails midway,
// and after what the buffer already holds.
func TestAppendAllReadsAsReadAll(t *testing.T) {
	text := strings.Repeat(`{"short_description":"x"}`, 100)
	boom := io.ErrUnexpectedEOF
	for name, mk := range map[string]func() io.Reader{
		"one byte at a time": func() io.Reader { return iotest.OneByteReader(strings.NewReader(text)) },
		"whole":              func() io.Reader { return strings.NewReader(text) },
		"empty":              func() io.Reader { return strings.NewReader("") },
		"failing midway":     func() io.Reader { return io.MultiReader(strings.NewReader(text[:700]), iotest.ErrReader(boom)) },
	} {
		want, wantErr := io.ReadAll(mk())
		for _, prefix := range []string{"", "kept"} {
			got, err := appendAll(append(make([]byte, 0, 3), prefix...), mk())
			if !bytes.Equal(got, append([]byte(prefix), want...)) || err != wantErr {
				t.Errorf("%s after %q: got %d bytes, %v; want %d bytes, %v", name, prefix, len(got), err, len(want), wantErr)
			}
		}
	}
}

// TestWriteBodiesOutliveTheirBuffer: a body is read into a recycled
// buffer, so what a write keeps must not change when later bodies reuse
// it.
func TestWriteBodiesOutliveTheirBuffer(t *testing.T) {
	f := newFixture(t, nil)
	first := strings.Repeat("first value ", 40)
	rec := f.do("POST", "/api/now/table/incident", map[string]string{"short_description": first, "description": first}).result()
	for i := range 20 {
		other := strings.Repeat(string(rune('a'+i)), 600)
		f.do("POST", "/api/now/table/incident", map[string]string{"short_description": other, "description": other})
		f.do("POST", "/api/now/table/incident", []map[string]any{{"short_description": other, "impact": 2}})
	}
	got, ok := f.e.Get("incident", rec["sys_id"].(string))
	if !ok || got["short_description"] != first || got["description"] != first {
		t.Errorf("the first record now reads short_description %q, description %q", got["short_description"], got["description"])
	}
}
