// Package printable makes untrusted text safe to show on a terminal or in a
// spreadsheet cell. Names, notes and companies come from data exports and
// from LinkedIn, so a crafted one could carry escape sequences that retitle
// or clear the user's terminal (ESC ] 0 ; … BEL, ESC [ 2 J), or bidi
// overrides that make text read differently from what it is.
//
// Every unsafe rune is replaced by one visible rune, so text keeps its
// length in runes and table columns stay aligned:
//
//   - a C0 control (U+0000–U+001F) by its Control Picture (␛ for ESC,
//     ␇ for BEL, ␊ for a line feed), DEL by ␡;
//   - a C1 control (U+0080–U+009F), an embedding, override or isolate
//     (U+202A–U+202E, U+2066–U+2069), or a byte that is not UTF-8 by U+FFFD (�).
//
// Everything else — accents, CJK, emoji with their joiners, U+202F — is
// kept as it is. String is for one-line values (a table cell, a name in a
// message); Text and Writer keep line feeds and tabs, for text whose layout
// is the program's own. JSON escapes instead of replacing, so encoded data
// stays exact.
package printable

import (
	"io"
	"strconv"
	"unicode/utf8"
)

// Unsafe reports whether r is replaced: a C0 or C1 control, DEL, or a bidi
// embedding, override or isolate.
func Unsafe(r rune) bool {
	switch {
	case r < 0x20, r >= 0x7f && r <= 0x9f:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

// String returns s with every unsafe rune, line feeds and tabs included,
// replaced by its visible stand-in. A string with nothing to replace is
// returned as is, without allocating.
func String(s string) string { return clean(s, false) }

// Text is String but keeps line feeds and tabs.
func Text(s string) string { return clean(s, true) }

func clean(s string, layout bool) string {
	i := firstUnsafe(s, layout)
	if i == len(s) {
		return s
	}
	b := make([]byte, 0, len(s)+8)
	b = append(b, s[:i]...)
	return string(appendClean(b, s[i:], layout))
}

// firstUnsafe is the index of the first byte that needs replacing, or len(s).
func firstUnsafe(s string, layout bool) int {
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f || layout && (c == '\n' || c == '\t') {
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if c < utf8.RuneSelf || r == utf8.RuneError && n == 1 || Unsafe(r) {
			return i
		}
		i += n
	}
	return len(s)
}

func appendClean(b []byte, s string, layout bool) []byte {
	for _, r := range s { // an invalid byte comes as RuneError
		switch {
		case layout && (r == '\n' || r == '\t'):
			b = append(b, byte(r))
		case r < 0x20:
			b = utf8.AppendRune(b, 0x2400+r)
		case r == 0x7f:
			b = utf8.AppendRune(b, '\u2421')
		case Unsafe(r):
			b = utf8.AppendRune(b, utf8.RuneError)
		default:
			b = utf8.AppendRune(b, r)
		}
	}
	return b
}

// Writer applies Text to everything written through it, so a program's
// whole text output can be made safe in one place. A rune split across two
// writes is put back together; Flush writes out a trailing incomplete one
// (as U+FFFD). A Writer is not safe for concurrent use.
type Writer struct {
	w     io.Writer
	carry [utf8.UTFMax]byte
	n     int // bytes in carry
	buf   []byte
}

// NewWriter returns a Writer writing to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

// Write writes the cleaned p; it reports len(p) on success.
func (w *Writer) Write(p []byte) (int, error) {
	s := p
	if w.n > 0 {
		w.buf = append(append(w.buf[:0], w.carry[:w.n]...), p...)
		s, w.n = w.buf, 0
	}
	// Hold back an incomplete rune at the end for the next write.
	if k := incompleteTail(s); k > 0 {
		w.n = copy(w.carry[:], s[len(s)-k:])
		s = s[:len(s)-k]
	}
	if i := plainPrefix(s); i < len(s) {
		str := string(s[i:])
		if j := firstUnsafe(str, true); j < len(str) {
			out := make([]byte, 0, len(s)+8)
			out = append(out, s[:i+j]...)
			s = appendClean(out, str[j:], true)
		}
	}
	if len(s) > 0 {
		if _, err := w.w.Write(s); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// Flush writes out a rune left incomplete by the last Write.
func (w *Writer) Flush() error {
	if w.n == 0 {
		return nil
	}
	s := appendClean(nil, string(w.carry[:w.n]), true)
	w.n = 0
	_, err := w.w.Write(s)
	return err
}

// plainPrefix is the length of the printable ASCII (with line feeds and
// tabs) b starts with: most output is all of it, and needs no decoding.
func plainPrefix(b []byte) int {
	for i, c := range b {
		if (c < 0x20 || c >= 0x7f) && c != '\n' && c != '\t' {
			return i
		}
	}
	return len(b)
}

// incompleteTail is the length of a UTF-8 sequence cut short at the end of
// b (0 when b ends on a whole rune or on bytes no rune can complete).
func incompleteTail(b []byte) int {
	for k := 1; k < utf8.UTFMax && k <= len(b); k++ {
		c := b[len(b)-k]
		if c < utf8.RuneSelf {
			return 0
		}
		if utf8.RuneStart(c) {
			if !utf8.FullRune(b[len(b)-k:]) {
				return k
			}
			return 0
		}
	}
	return 0
}

// JSON rewrites encoded JSON (as encoding/json writes it: valid UTF-8, C0
// controls already escaped) so that no unsafe rune is left raw: DEL, C1
// controls and bidi overrides inside strings become \uXXXX escapes, which
// decode to the same text. b is returned as is when there is none.
func JSON(b []byte) []byte {
	i := 0
	for i < len(b) {
		if b[i] < 0x7f {
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if Unsafe(r) {
			break
		}
		i += n
	}
	if i == len(b) {
		return b
	}
	out := make([]byte, 0, len(b)+12)
	out = append(out, b[:i]...)
	for i < len(b) {
		r, n := utf8.DecodeRune(b[i:])
		if Unsafe(r) && r >= 0x7f {
			out = append(out, `\u`...)
			out = append(out, "0000"[len(strconv.FormatInt(int64(r), 16)):]...)
			out = strconv.AppendInt(out, int64(r), 16)
		} else {
			out = append(out, b[i:i+n]...)
		}
		i += n
	}
	return out
}
