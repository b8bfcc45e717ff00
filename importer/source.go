package importer

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
)

// File is one input file: a CSV on disk, in a folder given as a path, or a
// member of an export archive.
type File struct {
	Path   string // the file or archive, as given (or found in a folder given)
	Member string // the member's name inside the archive; "" for a plain file
	Name   string // shown in messages: Path, or Path/Member
	Kind   Kind
	Size   int64 // bytes to read (decompressed), for progress

	header     []string // as sniffed, for checking a column mapping
	headerLine int
}

// maxMembers bounds how many CSV files of an archive or folder are looked at.
const maxMembers = 500

// budget counts decompressed bytes against a limit shared by several files.
type budget struct{ used, max int64 }

// capReader stops a file at max bytes and a budget, without trusting any
// size an archive declares: reading is what counts.
type capReader struct {
	r        io.Reader
	n, max   int64
	total    *budget // may be nil
	progress func(n int64)
}

func (c *capReader) Read(p []byte) (int, error) {
	left, tot := c.max-c.n, false
	if c.total != nil && c.total.max-c.total.used < left {
		left, tot = c.total.max-c.total.used, true
	}
	if int64(len(p)) > left+1 {
		p = p[:left+1]
	}
	n, err := c.r.Read(p)
	if int64(n) > left {
		limit := c.max
		if tot {
			limit = c.total.max
		}
		return 0, &limitError{limit: limit, total: tot}
	}
	c.n += int64(n)
	if c.total != nil {
		c.total.used += int64(n)
	}
	if c.progress != nil && n > 0 {
		c.progress(int64(n))
	}
	return n, err
}

// open opens a file for reading within the limits.
func (f File) open(maxFile int64, total *budget, progress func(int64)) (io.ReadCloser, error) {
	if f.Member == "" {
		fh, err := os.Open(f.Path)
		if err != nil {
			return nil, openErr(f.Path, err)
		}
		return readCloser{&capReader{r: fh, max: maxFile, total: total, progress: progress}, fh.Close}, nil
	}
	zr, err := zip.OpenReader(f.Path)
	if err != nil {
		return nil, zipErr(f.Path, err)
	}
	for _, m := range zr.File {
		if m.Name == f.Member {
			rc, err := m.Open()
			if err != nil {
				zr.Close()
				return nil, readErr(f.Name, 0, err)
			}
			return readCloser{&capReader{r: rc, max: maxFile, total: total, progress: progress}, func() error {
				rc.Close()
				return zr.Close()
			}}, nil
		}
	}
	zr.Close()
	return nil, parseErr(f.Path, 0, "", "no member %q in the archive", f.Member)
}

type readCloser struct {
	io.Reader
	close func() error
}

func (r readCloser) Close() error { return r.close() }

func openErr(path string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return &ParseError{File: path, Msg: "no such file or directory", Err: err}
	}
	return fmt.Errorf("importer: %w", err)
}

func zipErr(path string, err error) error {
	if errors.Is(err, zip.ErrFormat) || errors.Is(err, zip.ErrAlgorithm) || errors.Is(err, io.ErrUnexpectedEOF) {
		return &ParseError{File: path, Msg: "not a readable zip archive: " + err.Error(), Err: err}
	}
	return fmt.Errorf("importer: open %s: %w", path, err)
}

// expand turns one path into the files to import, with their kinds, and
// the date in the name of an export archive or folder, if any.
func expand(path string, maxFile int64, mapping map[string]string) ([]File, time.Time, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, time.Time{}, openErr(path, err)
	}
	if st.IsDir() {
		entries, err := os.ReadDir(path)
		if err != nil {
			return nil, time.Time{}, fmt.Errorf("importer: %w", err)
		}
		var cands []File
		for _, e := range entries {
			if !e.Type().IsRegular() || !isCSVName(e.Name()) {
				continue
			}
			info, err := e.Info()
			if err != nil {
				return nil, time.Time{}, fmt.Errorf("importer: %w", err)
			}
			p := filepath.Join(path, e.Name())
			cands = append(cands, File{Path: p, Name: p, Size: info.Size()})
		}
		files, err := pickExport(path, "folder", cands, maxFile, mapping)
		return files, dateInName(path), err
	}
	if !st.Mode().IsRegular() {
		return nil, time.Time{}, parseErr(path, 0, "", "not a regular file")
	}
	zipped, err := isZip(path)
	if err != nil {
		return nil, time.Time{}, err
	}
	if zipped {
		zr, err := zip.OpenReader(path)
		if err != nil {
			return nil, time.Time{}, zipErr(path, err)
		}
		var cands []File
		for _, m := range zr.File {
			// LinkedIn puts its CSVs at the top; Jobs/… and the like are not ours.
			if !strings.Contains(m.Name, "/") && isCSVName(m.Name) {
				size := int64(min(m.UncompressedSize64, uint64(maxFile)))
				cands = append(cands, File{Path: path, Member: m.Name, Name: path + "/" + m.Name, Size: size})
			}
		}
		zr.Close()
		files, err := pickExport(path, "archive", cands, maxFile, mapping)
		return files, dateInName(path), err
	}
	if strings.EqualFold(filepath.Ext(path), ".zip") {
		return nil, time.Time{}, parseErr(path, 0, "", "not a zip archive")
	}
	f := File{Path: path, Name: path, Size: st.Size()}
	err = f.sniff(maxFile, mapping)
	if err != nil {
		return nil, time.Time{}, err
	}
	return []File{f}, time.Time{}, nil
}

// pickExport keeps the members of an archive or folder that are LinkedIn's
// Invitations.csv or Connections.csv by their headers. Others (Profile.csv,
// Registration.csv, …) are skipped, but a damaged file named like one of
// ours is an error.
func pickExport(path, what string, cands []File, maxFile int64, mapping map[string]string) ([]File, error) {
	if len(cands) > maxMembers {
		return nil, parseErr(path, 0, "", "more than %d CSV files in the %s: not a LinkedIn data export", maxMembers, what)
	}
	var files []File
	for _, f := range cands {
		err := f.sniff(maxFile, mapping)
		kind := f.Kind
		base := strings.ToLower(filepath.Base(f.Name))
		ours := base == "invitations.csv" || base == "connections.csv"
		switch {
		case err != nil && ours:
			return nil, err
		case err == nil && (kind == KindInvitations || kind == KindConnections):
			files = append(files, f)
		}
	}
	if len(files) == 0 {
		return nil, parseErr(path, 0, "", "no Invitations.csv or Connections.csv in the %s (is it LinkedIn's data export?)", what)
	}
	return files, nil
}

// sniff reads a file's header and tells its kind, checking LinkedIn's
// files have the columns they need. Anything else counts as a tracking
// sheet here; its columns are checked when imported.
func (f *File) sniff(maxFile int64, mapping map[string]string) error {
	rc, err := f.open(maxFile, nil, nil)
	if err != nil {
		return err
	}
	defer rc.Close()
	c, err := newCSV(rc, f.Name)
	if err != nil {
		return err
	}
	f.header, f.headerLine = slices.Clone(c.header), c.headerLine
	switch f.Kind = classify(c.header, mapping); f.Kind {
	case KindInvitations:
		_, err = newInvitationsReader(c, mapping)
	case KindConnections:
		_, err = newConnectionsReader(c, mapping)
	}
	return err
}

func isCSVName(name string) bool { return strings.EqualFold(filepath.Ext(name), ".csv") }

func isZip(path string) (bool, error) {
	fh, err := os.Open(path)
	if err != nil {
		return false, openErr(path, err)
	}
	defer fh.Close()
	var magic [4]byte
	n, err := io.ReadFull(fh, magic[:])
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return false, fmt.Errorf("importer: read %s: %w", path, err)
	}
	return bytes.Equal(magic[:n], []byte("PK\x03\x04")) || bytes.Equal(magic[:n], []byte("PK\x05\x06")), nil
}

var nameDate = regexp.MustCompile(`(\d{2})-(\d{2})-(\d{4})`)

// dateInName reads the MM-DD-YYYY that LinkedIn puts in an export's name.
func dateInName(path string) time.Time {
	m := nameDate.FindStringSubmatch(filepath.Base(path))
	if m == nil {
		return time.Time{}
	}
	t, err := time.Parse("01-02-2006", m[1]+"-"+m[2]+"-"+m[3])
	if err != nil {
		return time.Time{}
	}
	return t
}
