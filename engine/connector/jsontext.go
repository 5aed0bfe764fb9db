package connector

import (
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// The lexical layer of jsonDecoder: RFC 8259 exactly as encoding/json's
// scanner accepts it, and strings unquoted exactly as encoding/json
// unquotes them (invalid UTF-8 and lone surrogates become U+FFFD).

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// plainByte marks the bytes a string holds as they are: printable ASCII
// but the quote and the backslash.
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

func (d *jsonDecoder) space() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// peek skips white space and returns the next byte, 0 at the end.
func (d *jsonDecoder) peek() byte {
	d.space()
	if d.pos < len(d.data) {
		return d.data[d.pos]
	}
	return 0
}

// literal reads word (true, false or null).
func (d *jsonDecoder) literal(word string) bool {
	end := d.pos + len(word)
	if end > len(d.data) || string(d.data[d.pos:end]) != word {
		return false
	}
	d.pos = end
	return true
}

// number reads a number and returns its text.
func (d *jsonDecoder) number() ([]byte, bool) {
	data, start, i := d.data, d.pos, d.pos
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
	d.pos = i
	return data[start:i], true
}

func digits(data []byte, i int) int {
	for i < len(data) && isDigit(data[i]) {
		i++
	}
	return i
}

// str reads a string.
func (d *jsonDecoder) str() (string, bool) {
	b, at, ok := d.strBytes()
	return d.stringOf(b, at), ok
}

// stringOf returns b, which strBytes returned, as a string: a substring of
// the shared copy of the text when b is a slice of the text at offset at
// (at is -1 otherwise).
func (d *jsonDecoder) stringOf(b []byte, at int) string {
	if at >= 0 && d.text != "" {
		return d.text[at : at+len(b)]
	}
	return string(b)
}

// strBytes reads a string and returns its unquoted bytes: a slice of the
// text at offset at when it needs no unquoting, else a new buffer and -1.
func (d *jsonDecoder) strBytes() ([]byte, int, bool) {
	start, end, plain, ok := d.scanString()
	if !ok {
		return nil, -1, false
	}
	raw := d.data[start:end]
	if plain {
		return raw, start, true
	}
	if u, copied := unquote(raw); copied {
		return u, -1, true
	}
	return raw, start, true
}

// scanString reads a string and returns where the text between its quotes
// begins and ends; plain reports that it needs no unquoting.
func (d *jsonDecoder) scanString() (start, end int, plain, ok bool) {
	data := d.data
	start = d.pos + 1
	plain = true
	for i := start; i < len(data); {
		c := data[i]
		switch {
		case plainByte[c]:
			i++
		case c == '"':
			d.pos = i + 1
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

// enter and leave bound the nesting.
func (d *jsonDecoder) enter() bool {
	d.depth++
	return d.depth <= maxDecodeDepth
}

func (d *jsonDecoder) leave() { d.depth-- }

// array reads an array, calling each at every element with its index.
func (d *jsonDecoder) array(each func(i int) bool) bool {
	if d.peek() != '[' || !d.enter() {
		return false
	}
	d.pos++
	if d.peek() == ']' {
		d.pos++
		d.leave()
		return true
	}
	for i := 0; ; i++ {
		if !each(i) {
			return false
		}
		switch d.peek() {
		case ',':
			d.pos++
		case ']':
			d.pos++
			d.leave()
			return true
		default:
			return false
		}
	}
}

// object reads an object, calling each at every member's value with the
// member's unquoted key (and its offset, see stringOf).
func (d *jsonDecoder) object(each func(key []byte, at int) bool) bool {
	if d.peek() != '{' || !d.enter() {
		return false
	}
	d.pos++
	if d.peek() == '}' {
		d.pos++
		d.leave()
		return true
	}
	for {
		if d.peek() != '"' {
			return false
		}
		key, at, ok := d.strBytes()
		if !ok || d.peek() != ':' {
			return false
		}
		d.pos++
		if !each(key, at) {
			return false
		}
		switch d.peek() {
		case ',':
			d.pos++
		case '}':
			d.pos++
			d.leave()
			return true
		default:
			return false
		}
	}
}

// skip reads a value of any kind without converting it.
func (d *jsonDecoder) skip() bool {
	switch c := d.peek(); {
	case c == '"':
		_, _, _, ok := d.scanString()
		return ok
	case c == '{':
		return d.object(func([]byte, int) bool { return d.skip() })
	case c == '[':
		return d.array(func(int) bool { return d.skip() })
	case c == 't':
		return d.literal("true")
	case c == 'f':
		return d.literal("false")
	case c == 'n':
		return d.literal("null")
	case c == '-' || isDigit(c):
		_, ok := d.number()
		return ok
	}
	return false
}

// unquote decodes the text of a string that scanString has validated,
// and reports whether that took a copy. It is encoding/json's unquoteBytes
// (Go 1.26) less the checks scanString made.
func unquote(s []byte) ([]byte, bool) {
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
