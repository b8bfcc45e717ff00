package printable_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/unvite/unvite/printable"
)

func TestString(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Bad\x1b]0;pwned\x07Name", "Bad␛]0;pwned␇Name"},
		{"note\x1b[2J", "note␛[2J"},
		{"two\nlines\tand tab\r", "two␊lines␉and tab␍"},
		{"del\x7f c1\u009b31m", "del␡ c1�31m"},
		{"\u202eevil\u202c \u2066x\u2069 \u202ay\u202d", "�evil� �x� �y�"},
		{"bad \xff\xfe utf-8 \xe2\x80", "bad �� utf-8 ��"},
		{"\x00", "␀"},
		// Ordinary Unicode stays: accents, CJK, emoji with joiners and
		// modifiers, narrow no-break space (U+202F, next to U+202E), RTL text
		// without overrides, zero-width joiner and marks.
		{"José Müller-Łukasiewicz", "José Müller-Łukasiewicz"},
		{"山田太郎 김민준 Дмитрий", "山田太郎 김민준 Дмитрий"},
		{"👩‍💻 👍🏽 🇸🇪", "👩‍💻 👍🏽 🇸🇪"},
		{"10:30\u202fAM", "10:30\u202fAM"},
		{"שלום عربي \u200f", "שלום عربي \u200f"},
		{"", ""},
	} {
		require(t, printable.String(c.in), c.want, "String(%q)", c.in)
	}
}

func TestTextKeepsLayout(t *testing.T) {
	require(t, printable.Text("a\tb\nc\x1b[2J\r\n"), "a\tb\nc␛[2J␍\n", "Text")
}

func TestStringDoesNotCopyCleanText(t *testing.T) {
	s := strings.Repeat("Ana Baker, 山田 ", 10)
	if n := testing.AllocsPerRun(10, func() { _ = printable.String(s) }); n != 0 {
		t.Fatalf("String allocated %v times for clean text", n)
	}
}

func TestWriterJoinsSplitRunes(t *testing.T) {
	in := "José 山田 👩‍💻\x1b]0;x\x07 \u202eend"
	for cut := 0; cut <= len(in); cut++ {
		var out bytes.Buffer
		w := printable.NewWriter(&out)
		for _, part := range []string{in[:cut], in[cut:]} {
			if n, err := w.Write([]byte(part)); err != nil || n != len(part) {
				t.Fatalf("cut %d: Write = %d, %v", cut, n, err)
			}
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		require(t, out.String(), printable.Text(in), "cut at %d", cut)
	}
}

func TestWriterFlushesIncompleteRune(t *testing.T) {
	var out bytes.Buffer
	w := printable.NewWriter(&out)
	w.Write([]byte("end \xe2\x80"))
	require(t, out.String(), "end ", "before Flush")
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	require(t, out.String(), "end ��", "after Flush")
}

func TestJSONEscapesWhatEncodingJSONLeavesRaw(t *testing.T) {
	in := map[string]string{"name": "\u202eevil\u202c \u009b31m \x7f Zoë 山田 👍🏽 \x1b]0;x\x07 \u2066i\u2069"}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	out := printable.JSON(b)
	for _, r := range string(out) {
		if printable.Unsafe(r) {
			t.Fatalf("raw %U in %s", r, out)
		}
	}
	require(t, string(out), `{"name":"\u202eevil\u202c \u009b31m \u007f Zoë 山田 👍🏽 \u001b]0;x\u0007 \u2066i\u2069"}`, "JSON")
	var back map[string]string
	if err := json.Unmarshal(out, &back); err != nil || back["name"] != in["name"] {
		t.Fatalf("decoded %q, %v; want %q", back["name"], err, in["name"])
	}
	plain := []byte(`{"name":"Zoë"}`)
	if got := printable.JSON(plain); &got[0] != &plain[0] {
		t.Fatal("JSON copied text with nothing to escape")
	}
}

type failing struct{}

func (failing) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriterReportsErrors(t *testing.T) {
	if _, err := printable.NewWriter(failing{}).Write([]byte("x")); err == nil {
		t.Fatal("Write hid the error")
	}
}

func require(t *testing.T, got, want, format string, args ...any) {
	t.Helper()
	if got != want {
		t.Errorf(format+": got %q, want %q", append(args, got, want)...)
	}
}

// FuzzDisplay checks the display path on any input: nothing unsafe is left,
// every safe rune stays where it was, each rune is replaced by exactly one,
// a cell in a table stays on its row, the Writer, however the text is
// split, prints what Text returns, and escaped JSON holds nothing raw and
// decodes to the same text.
func FuzzDisplay(f *testing.F) {
	f.Fuzz(func(t *testing.T, in string, cut uint) {
		for _, layout := range []bool{false, true} {
			out := printable.String(in)
			if layout {
				out = printable.Text(in)
			}
			if !utf8.ValidString(out) {
				t.Fatalf("%q gave invalid UTF-8 %q", in, out)
			}
			got, want := []rune(out), []rune(in) // an invalid byte is one RuneError
			if len(got) != len(want) {
				t.Fatalf("%q: %d runes became %d: %q", in, len(want), len(got), out)
			}
			for i, r := range got {
				kept := layout && (r == '\n' || r == '\t')
				if printable.Unsafe(r) && !kept {
					t.Fatalf("%q: unsafe %U survived in %q", in, r, out)
				}
				if safe := !printable.Unsafe(want[i]) && want[i] != utf8.RuneError; (safe || kept) && r != want[i] {
					t.Fatalf("%q: printable %U at %d became %U", in, want[i], i, r)
				}
			}
			if again := printable.String(out); !layout && again != out {
				t.Fatalf("String is not idempotent: %q then %q", out, again)
			}
		}
		enc, _ := json.Marshal(in)
		escaped := printable.JSON(enc)
		for _, r := range string(escaped) {
			if printable.Unsafe(r) {
				t.Fatalf("JSON of %q left %U raw: %s", in, r, escaped)
			}
		}
		var back, want string
		json.Unmarshal(enc, &want)
		if err := json.Unmarshal(escaped, &back); err != nil || back != want {
			t.Fatalf("JSON of %q decodes to %q (%v), want %q", in, back, err, want)
		}

		// As a table prints it: a one-line cell through a tabwriter into a
		// Writer gives one row, and nothing unsafe.
		var table bytes.Buffer
		tw := tabwriter.NewWriter(printable.NewWriter(&table), 0, 0, 2, ' ', 0)
		fmt.Fprintf(tw, "ID\tNAME\tAGE\n1\t%s\t3d\n", printable.String(in))
		tw.Flush()
		if lines := strings.Split(table.String(), "\n"); len(lines) != 3 || lines[2] != "" {
			t.Fatalf("%q broke the table: %q", in, table.String())
		}
		for _, r := range table.String() {
			if printable.Unsafe(r) && r != '\n' {
				t.Fatalf("%q: table holds %U: %q", in, r, table.String())
			}
		}

		var buf bytes.Buffer
		w := printable.NewWriter(&buf)
		k := int(cut % uint(len(in)+1))
		w.Write([]byte(in[:k]))
		w.Write([]byte(in[k:]))
		w.Flush()
		if buf.String() != printable.Text(in) {
			t.Fatalf("Writer split at %d: %q, Text: %q", k, buf.String(), printable.Text(in))
		}
	})
}

// BenchmarkWriter measures the cost the cleaning adds to every text output:
// a table row of ASCII, and one with accents and CJK.
func BenchmarkWriter(b *testing.B) {
	for name, row := range map[string]string{
		"ascii":   "12345  pending  withdraw  2025-11-24 08:30  360d  yes  Ana Baker  Redwood Ventures  vip\n",
		"unicode": "12345  pending  withdraw  2025-11-24 08:30  360d  yes  Zoë Ström  山田商事株式会社  vip\n",
	} {
		b.Run(name, func(b *testing.B) {
			w := printable.NewWriter(io.Discard)
			p := []byte(row)
			b.SetBytes(int64(len(p)))
			for b.Loop() {
				w.Write(p)
			}
		})
	}
}
