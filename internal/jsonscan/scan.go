package jsonscan

import (
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxDepth bounds the nesting a Scanner follows: deeper arrays and objects
// are refused. encoding/json's own limit is 10000.
const MaxDepth = 1000

// Scanner reads one JSON text. Each reading method advances past what it
// reads when that is well formed and reports false when it is not; after a
// false the position is undefined. Peek, Array, Object and Skip skip the
// white space before what they read; Literal, Number, ScanString and
// StringBytes read where a Peek stopped, at the byte it returned.
type Scanner struct {
	data  []byte
	pos   int
	depth int
}

// New returns a Scanner at the beginning of data.
func New(data []byte) Scanner { return Scanner{data: data} }

// Data is the text being read.
func (s *Scanner) Data() []byte { return s.data }

// Pos is the offset of the next byte to read.
func (s *Scanner) Pos() int { return s.pos }

// AtEnd skips white space and reports whether the text ends there.
func (s *Scanner) AtEnd() bool {
	s.space()
	return s.pos == len(s.data)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// plainByte marks the bytes a string holds as they are: printable ASCII
// but the quote and the backslash.
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

func (s *Scanner) space() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// Peek skips white space and returns the next byte, 0 at the end.
func (s *Scanner) Peek() byte {
	s.space()
	if s.pos < len(s.data) {
		return s.data[s.pos]
	}
	return 0
}

// Literal reads word (true, false or null).
func (s *Scanner) Literal(word string) bool {
	end := s.pos + len(word)
	if end > len(s.data) || string(s.data[s.pos:end]) != word {
		return false
	}
	s.pos = end
	return true
}

// Number reads a number and returns its text.
func (s *Scanner) Number() ([]byte, bool) {
	data, start, i := s.data, s.pos, s.pos
	if i < len(data) && data[i] == '-' {
		i++
	}
	switch {
	case i < len(data) && data[i] == '0':
		i++
	case i < len(data) && '1' <= data[i] && data[i] <= '9':
		i = digits(data, i)
	default:
		return nil, false
	}
	if i < len(data) && data[i] == '.' {
		if i+1 >= len(data) || !isDigit(data[i+1]) {
			return nil, false
		}
		i = digits(data, i+1)
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if i >= len(data) || !isDigit(data[i]) {
			return nil, false
		}
		i = digits(data, i)
	}
	s.pos = i
	return data[start:i], true
}

func digits(data []byte, i int) int {
	for i < len(data) && isDigit(data[i]) {
		i++
	}
	return i
}

// StringBytes reads a string and returns its unquoted bytes: a slice of the
// text at offset at when it needs no unquoting, else a new buffer and -1.
func (s *Scanner) StringBytes() ([]byte, int, bool) {
	start, end, plain, ok := s.ScanString()
	if !ok {
		return nil, -1, false
	}
	raw := s.data[start:end]
	if plain {
		return raw, start, true
	}
	if u, copied := Unquote(raw); copied {
		return u, -1, true
	}
	return raw, start, true
}

// ScanString reads a string and returns where the text between its quotes
// begins and ends; plain reports that it needs no unquoting.
func (s *Scanner) ScanString() (start, end int, plain, ok bool) {
	data := s.data
	start = s.pos + 1
	plain = true
	for i := start; i < len(data); {
		c := data[i]
		switch {
		case plainByte[c]:
			i++
		case c == '"':
			s.pos = i + 1
			return start, i, plain, true
		case c == '\\':
			plain = false
			if i+1 >= len(data) {
				return 0, 0, false, false
			}
			switch data[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+5 >= len(data) || !isHex4(data[i+2:i+6]) {
					return 0, 0, false, false
				}
				i += 6
			default:
				return 0, 0, false, false
			}
		case c < 0x20:
			return 0, 0, false, false
		default: // beyond ASCII: unquote checks the UTF-8
			plain = false
			i++
		}
	}
	return 0, 0, false, false
}

func isHex4(b []byte) bool {
	for _, c := range b {
		if !isDigit(c) && !('a' <= c && c <= 'f') && !('A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// enter and leave bound the nesting to MaxDepth.
func (s *Scanner) enter() bool {
	s.depth++
	return s.depth <= MaxDepth
}

func (s *Scanner) leave() { s.depth-- }

// Array reads an array, calling each at every element with its index.
func (s *Scanner) Array(each func(i int) bool) bool {
	if s.Peek() != '[' || !s.enter() {
		return false
	}
	s.pos++
	if s.Peek() == ']' {
		s.pos++
		s.leave()
		return true
	}
	for i := 0; ; i++ {
		if !each(i) {
			return false
		}
		switch s.Peek() {
		case ',':
			s.pos++
		case ']':
			s.pos++
			s.leave()
			return true
		default:
			return false
		}
	}
}

// Object reads an object, calling each at every member's value with the
// member's unquoted key, and the offset of the key in the text when the
// key is a slice of it (-1 when it was unquoted into a new buffer).
func (s *Scanner) Object(each func(key []byte, at int) bool) bool {
	if s.Peek() != '{' || !s.enter() {
		return false
	}
	s.pos++
	if s.Peek() == '}' {
		s.pos++
		s.leave()
		return true
	}
	for {
		if s.Peek() != '"' {
			return false
		}
		key, at, ok := s.StringBytes()
		if !ok || s.Peek() != ':' {
			return false
		}
		s.pos++
		if !each(key, at) {
			return false
		}
		switch s.Peek() {
		case ',':
			s.pos++
		case '}':
			s.pos++
			s.leave()
			return true
		default:
			return false
		}
	}
}

// Skip reads a value of any kind.
func (s *Scanner) Skip() bool {
	switch c := s.Peek(); {
	case c == '"':
		_, _, _, ok := s.ScanString()
		return ok
	case c == '{':
		return s.Object(func([]byte, int) bool { return s.Skip() })
	case c == '[':
		return s.Array(func(int) bool { return s.Skip() })
	case c == 't':
		return s.Literal("true")
	case c == 'f':
		return s.Literal("false")
	case c == 'n':
		return s.Literal("null")
	case c == '-' || isDigit(c):
		_, ok := s.Number()
		return ok
	}
	return false
}

// Unquote decodes the text between the quotes of a string that ScanString
// has read,
// and reports whether that took a copy. It is encoding/json's unquoteBytes
// (Go 1.26) less the checks scanString made.
func Unquote(s []byte) ([]byte, bool) {
	r := 0
	for r < len(s) {
		c := s[r]
		if c == '\\' || c == '"' || c < ' ' {
			break
		}
		rr, size := utf8.DecodeRune(s[r:])
		if rr == utf8.RuneError && size == 1 {
			break
		}
		r += size
	}
	if r == len(s) {
		return s, false
	}
	b := make([]byte, len(s)+2*utf8.UTFMax)
	w := copy(b, s[0:r])
	for r < len(s) {
		// Out of room? Can only happen if s is full of malformed UTF-8
		// and we're replacing each byte with RuneError.
		if w >= len(b)-2*utf8.UTFMax {
			nb := make([]byte, (len(b)+utf8.UTFMax)*2)
			copy(nb, b[0:w])
			b = nb
		}
		switch c := s[r]; {
		case c == '\\':
			r++
			switch s[r] {
			case 'b':
				b[w] = '\b'
			case 'f':
				b[w] = '\f'
			case 'n':
				b[w] = '\n'
			case 'r':
				b[w] = '\r'
			case 't':
				b[w] = '\t'
			case 'u':
				rr := getu4(s[r-1:])
				r += 5
				if utf16.IsSurrogate(rr) {
					if dec := utf16.DecodeRune(rr, getu4(s[r:])); dec != unicode.ReplacementChar {
						// A valid pair; consume.
						r += 6
						w += utf8.EncodeRune(b[w:], dec)
						continue
					}
					// Invalid surrogate; fall back to replacement rune.
					rr = unicode.ReplacementChar
				}
				w += utf8.EncodeRune(b[w:], rr)
				continue
			default: // '"', '\\', '/'
				b[w] = s[r]
			}
			r++
			w++
		case c < utf8.RuneSelf:
			b[w] = c
			r++
			w++
		default: // coerce to well-formed UTF-8
			rr, size := utf8.DecodeRune(s[r:])
			r += size
			w += utf8.EncodeRune(b[w:], rr)
		}
	}
	return b[0:w], true
}

// getu4 decodes \uXXXX from the beginning of s, returning the hex value,
// or it returns -1.
func getu4(s []byte) rune {
	if len(s) < 6 || s[0] != '\\' || s[1] != 'u' {
		return -1
	}
	var r rune
	for _, c := range s[2:6] {
		switch {
		case '0' <= c && c <= '9':
			c = c - '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r*16 + rune(c)
	}
	return r
}
