package importer

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/flate"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/unvite/unvite"
)

const (
	// maxRecordBytes bounds one record (a row, with any quoted line breaks):
	// an unclosed quote must not pull a whole file into memory.
	maxRecordBytes = 1 << 20
	// sniffBytes is how much is looked at to tell text from binary data.
	sniffBytes = 4096
	// maxPreamble is how many one-field records (Connections.csv's "Notes:"
	// and its paragraph) may precede the header.
	maxPreamble = 8
)

var errTooLong = errors.New("record too long")

// guard sits under the CSV parser's buffer. It refuses to deliver more
// than maxRecordBytes past the start of the record being parsed, and looks
// at what it delivers in bulk for NUL bytes and invalid UTF-8: only once it
// has seen some are fields checked one by one, to say where.
type guard struct {
	r      io.Reader
	n      int64 // bytes delivered
	mark   int64 // offset where the current record starts
	dirty  bool  // bytes that are not UTF-8 text were delivered
	carry  [utf8.UTFMax]byte
	ncarry int // bytes of a character split across reads
}

func (g *guard) Read(p []byte) (int, error) {
	if g.n-g.mark > maxRecordBytes {
		return 0, errTooLong
	}
	n, err := g.r.Read(p)
	g.n += int64(n)
	if !g.dirty {
		g.scan(p[:n])
		if err == io.EOF && g.ncarry > 0 {
			g.dirty = true // the file ends inside a character
		}
	}
	return n, err
}

func (g *guard) scan(p []byte) {
	if bytes.IndexByte(p, 0) >= 0 {
		g.dirty = true
		return
	}
	if g.ncarry > 0 {
		k := 0
		for ; k < len(p) && g.ncarry < utf8.UTFMax && !utf8.FullRune(g.carry[:g.ncarry]); k++ {
			g.carry[g.ncarry] = p[k]
			g.ncarry++
		}
		if !utf8.FullRune(g.carry[:g.ncarry]) {
			return // still incomplete: p was that short
		}
		if !utf8.Valid(g.carry[:g.ncarry]) {
			g.dirty = true
			return
		}
		p, g.ncarry = p[k:], 0
	}
	for j := len(p) - 1; j >= 0 && j >= len(p)-utf8.UTFMax; j-- {
		if utf8.RuneStart(p[j]) {
			if !utf8.FullRune(p[j:]) {
				g.ncarry = copy(g.carry[:], p[j:])
				p = p[:j]
			}
			break
		}
	}
	if !utf8.Valid(p) {
		g.dirty = true
	}
}

// csvIn reads the records of one CSV file with the checks every kind of
// file shares: size bounds, text only, line numbers for errors.
type csvIn struct {
	file       string
	g          *guard
	cr         *csv.Reader
	bom        int64
	header     []string // trimmed copies of the header cells
	headerLine int
	line       int // line where the last record read starts
	next       int // line after the last record read
	skipped    []unvite.SkippedRows
}

// newCSV checks the start of r looks like text and positions the reader on
// the header row, skipping a preamble of one-field records.
func newCSV(r io.Reader, file string) (*csvIn, error) {
	g := &guard{r: r}
	br := bufio.NewReaderSize(g, 64<<10)
	head, err := br.Peek(sniffBytes)
	if err != nil && err != io.EOF {
		return nil, readErr(file, 1, err)
	}
	full := err == nil
	c := &csvIn{file: file, g: g, next: 1}
	if bytes.HasPrefix(head, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
		head, c.bom = head[3:], 3
	}
	if len(bytes.TrimSpace(head)) == 0 {
		return nil, parseErr(file, 0, "", "empty file")
	}
	if bytes.HasPrefix(head, []byte("PK\x03\x04")) {
		return nil, parseErr(file, 0, "", "a zip archive, not a CSV file")
	}
	if bytes.HasPrefix(head, []byte("\xff\xfe")) || bytes.HasPrefix(head, []byte("\xfe\xff")) {
		return nil, parseErr(file, 0, "", "UTF-16 text: re-save the file as CSV in UTF-8")
	}
	// Only the first line decides "binary": later bad bytes are reported
	// with their line and field.
	first := head
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		first = head[:i]
	} else if full {
		// The peek may have cut the last character in two.
		for i := 0; i < utf8.UTFMax-1 && len(first) > 0 && !utf8.Valid(first); i++ {
			first = first[:len(first)-1]
		}
	}
	if bytes.IndexByte(first, 0) >= 0 || !utf8.Valid(first) {
		return nil, parseErr(file, 0, "", "binary data, not a CSV text file (want UTF-8 text)")
	}
	c.cr = csv.NewReader(br) // reuses br: it is large enough
	c.cr.Comma = delimiter(head)
	c.cr.FieldsPerRecord = -1
	c.cr.ReuseRecord = true
	c.cr.LazyQuotes = true
	for range maxPreamble {
		rec, err := c.read()
		if err == io.EOF {
			return nil, parseErr(file, 0, "", "no header row: the file holds no records")
		}
		if err != nil {
			return nil, err
		}
		if len(rec) < 2 {
			continue
		}
		c.header = make([]string, len(rec))
		for i, h := range rec {
			c.header[i] = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		}
		c.headerLine = c.line
		return c, nil
	}
	return nil, parseErr(file, c.next, "", "no header row in the first %d records (is this a CSV file?)", maxPreamble)
}

// delimiter tells what separates the fields. LinkedIn writes commas, but
// a spreadsheet set to a European locale re-saves with semicolons, and some
// tools write tabs. The header decides: under each candidate, the first
// record of two or more fields, scored by how many known column names it
// holds; commas win ties.
func delimiter(head []byte) rune {
	best, bestScore := ',', -1
	for _, d := range []rune{',', ';', '\t'} {
		r := csv.NewReader(bytes.NewReader(head))
		r.Comma, r.LazyQuotes, r.FieldsPerRecord = d, true, -1
		for range maxPreamble {
			rec, err := r.Read()
			if err != nil {
				break
			}
			if len(rec) < 2 {
				continue
			}
			if n := knownColumns(rec); n > bestScore {
				best, bestScore = d, n
			}
			break
		}
	}
	return best
}

// read returns the next record, or io.EOF. The slice is reused.
func (c *csvIn) read() ([]string, error) {
	c.g.mark = c.bom + c.cr.InputOffset()
	rec, err := c.cr.Read()
	if err == io.EOF {
		return nil, io.EOF
	}
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, &ParseError{File: c.file, Line: pe.StartLine, Msg: "not valid CSV: " + pe.Err.Error(), Err: err}
		}
		return nil, readErr(c.file, c.next, err)
	}
	c.line, _ = c.cr.FieldPos(0)
	last := len(rec) - 1
	l, _ := c.cr.FieldPos(last)
	c.next = l + strings.Count(rec[last], "\n") + 1
	if c.g.dirty {
		return rec, c.checkText(rec)
	}
	return rec, nil
}

// checkText finds the field holding what the guard saw: a NUL byte or
// bytes that are not UTF-8.
func (c *csvIn) checkText(rec []string) error {
	for i, f := range rec {
		if strings.IndexByte(f, 0) >= 0 {
			return parseErr(c.file, c.line, c.fieldName(i), "contains a NUL byte: binary data, not text")
		}
		if !utf8.ValidString(f) {
			return parseErr(c.file, c.line, c.fieldName(i), "is not UTF-8 text (re-save the file as UTF-8)")
		}
	}
	return nil
}

// fieldName is the header of column i, for errors.
func (c *csvIn) fieldName(i int) string {
	if i < len(c.header) {
		return c.header[i]
	}
	if c.header == nil {
		return ""
	}
	return fmt.Sprintf("#%d", i+1)
}

// row reads the next data row, checking it has as many fields as the
// header. Rows with every field empty (spreadsheets leave them) are skipped
// and counted; empty fields past the header's (a re-save's padding) are
// dropped.
func (c *csvIn) row() ([]string, error) {
	for {
		rec, err := c.read()
		if err != nil {
			return nil, err
		}
		if len(rec) > len(c.header) && blank(rec[len(c.header):]) {
			rec = rec[:len(c.header)]
		}
		if blank(rec) {
			c.skip("blank", "every field empty")
			continue
		}
		if len(rec) != len(c.header) {
			return nil, parseErr(c.file, c.line, "", "has %d fields, want %d as in the header on line %d", len(rec), len(c.header), c.headerLine)
		}
		return rec, nil
	}
}

// maxSkipLines is how many line numbers a skip count keeps, as examples.
const maxSkipLines = 5

// skip counts the row just read as left out for reason (a stable code),
// why being the reason in words.
func (c *csvIn) skip(reason, why string) {
	for i := range c.skipped {
		if s := &c.skipped[i]; s.Reason == reason {
			s.Count++
			if len(s.Lines) < maxSkipLines {
				s.Lines = append(s.Lines, c.line)
			}
			return
		}
	}
	c.skipped = append(c.skipped, unvite.SkippedRows{File: c.file, Reason: reason, Why: why, Count: 1, Lines: []int{c.line}})
}

func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// limitError is returned by capReader when a file decompresses to more
// than allowed.
type limitError struct {
	limit int64
	total bool
}

func (e *limitError) Error() string {
	if e.total {
		return fmt.Sprintf("the files hold more than %s in all: refusing (a zip bomb?)", sizeString(e.limit))
	}
	return fmt.Sprintf("larger than %s: refusing (a zip bomb?)", sizeString(e.limit))
}

func sizeString(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// readErr turns a failure to read a file into an error for the user:
// damaged or oversized input is the user's (EINVALID), the rest is I/O.
func readErr(file string, line int, err error) error {
	var le *limitError
	var ce flate.CorruptInputError
	switch {
	case errors.Is(err, errTooLong):
		return &ParseError{File: file, Line: line, Msg: fmt.Sprintf("a record longer than %s (an unclosed quote?)", sizeString(maxRecordBytes)), Err: err}
	case errors.As(err, &le):
		return &ParseError{File: file, Msg: le.Error(), Err: err}
	case errors.Is(err, zip.ErrChecksum), errors.Is(err, zip.ErrFormat), errors.Is(err, zip.ErrAlgorithm),
		errors.As(err, &ce), errors.Is(err, io.ErrUnexpectedEOF):
		return &ParseError{File: file, Msg: "damaged archive: " + err.Error(), Err: err}
	}
	return fmt.Errorf("importer: read %s: %w", file, err)
}
