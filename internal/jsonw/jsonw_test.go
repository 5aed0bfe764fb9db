package jsonw

import (
	"bytes"
	"encoding/json"
	"testing"
)

var strings = []string{"", "plain", "<>&", "\"\\", "\x00\x1f\x7f\b\f\n\r\t", "é\u2028\u2029", "\xff", "a\xe2\x80", "🙂", "a\u00a0b"}

func TestAppendStringIsEncodingJSON(t *testing.T) {
	for _, s := range strings {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := AppendString([]byte("x"), s); !bytes.Equal(got, append([]byte("x"), want...)) {
			t.Errorf("AppendString(%q) = %s, want x%s", s, got, want)
		}
	}
}

// FuzzAppendString checks the string encoder against encoding/json.
func FuzzAppendString(f *testing.F) {
	for _, s := range strings {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := AppendString(nil, s); !bytes.Equal(got, want) {
			t.Errorf("AppendString(%q) = %s, want %s", s, got, want)
		}
	})
}
