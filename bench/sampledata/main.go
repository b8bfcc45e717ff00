// Command sampledata writes the sample export the README's first command
// imports: testdata/sample/Basic_LinkedInDataExport_11-20-2026.zip, in the
// byte formats of LinkedIn's export, with invented people. Deterministic:
//
//	go run ./bench/sampledata
package main

import (
	"archive/zip"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/unvite/unvite/exportgen"
)

func main() {
	if err := write(filepath.Join("testdata", "sample", "Basic_LinkedInDataExport_11-20-2026.zip")); err != nil {
		fmt.Fprintln(os.Stderr, "sampledata:", err)
		os.Exit(1)
	}
}

func write(path string) error {
	// 900 rows, 0-5 gaps of 4 hours each: about a year of invitations.
	const rows, seed, accepted, spread = 900, 2026, 0.37, 4 * time.Hour
	end := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	var inv, conn bytes.Buffer
	if err := exportgen.WriteInvitationsSpread(&inv, rows, seed, end, spread); err != nil {
		return err
	}
	if err := exportgen.WriteConnectionsSpread(&conn, rows, seed, end, accepted, spread); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range []struct {
		name string
		body []byte
	}{
		{"Connections.csv", conn.Bytes()},
		{"Invitations.csv", inv.Bytes()},
		{"Profile.csv", []byte("First Name,Last Name,Headline\nAlex,Example,Head of Growth\n")},
	} {
		// A fixed time keeps the archive byte-for-byte reproducible.
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: end.Add(9 * time.Hour)})
		if err != nil {
			return err
		}
		if _, err := w.Write(f.body); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return os.WriteFile(path, out.Bytes(), 0o644)
}
