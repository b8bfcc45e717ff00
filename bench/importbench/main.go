// Command importbench measures `unvite import` of a generated
// Invitations.csv (1,000,000 rows by default) into a fresh SQLite file, and
// the sqlite3 CLI's `.import` of the same file into a plain table, each in a
// child process so wall time and peak RSS are the process's own.
// Run it from the repository root: it builds cmd/unvite first.
//
//	go run ./bench/importbench [-rows 1000000] [-runs 3]
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"time"

	"github.com/unvite/unvite/exportgen"
)

func main() {
	rows := flag.Int("rows", 1_000_000, "rows in the generated Invitations.csv")
	runs := flag.Int("runs", 3, "runs of each command; medians are reported")
	out := flag.String("out", "", "only write the generated Invitations.csv to this file")
	flag.Parse()
	if *out != "" {
		if err := generate(*out, *rows); err != nil {
			fmt.Fprintln(os.Stderr, "importbench:", err)
			os.Exit(1)
		}
		return
	}
	if err := bench(*rows, *runs); err != nil {
		fmt.Fprintln(os.Stderr, "importbench:", err)
		os.Exit(1)
	}
}

// generate writes an Invitations.csv of n rows in the export's format.
func generate(path string, n int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	if err := exportgen.WriteInvitations(w, n, 1, time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)); err != nil {
		f.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

type sample struct {
	wall  time.Duration
	rssKB int64
}

func measure(name string, args ...string) (sample, error) {
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return sample{}, fmt.Errorf("%s: %w", name, err)
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	return sample{time.Since(start), ru.Maxrss}, nil
}

func median(xs []sample) sample {
	slices.SortFunc(xs, func(a, b sample) int { return int(a.wall - b.wall) })
	m := xs[len(xs)/2]
	for _, x := range xs {
		m.rssKB = max(m.rssKB, x.rssKB) // report the worst peak
	}
	return m
}

func bench(rows, runs int) error {
	dir, err := os.MkdirTemp("", "importbench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	csvPath := filepath.Join(dir, "Invitations.csv")
	if err := generate(csvPath, rows); err != nil {
		return err
	}
	fi, _ := os.Stat(csvPath)
	fmt.Printf("file: %d rows, %.1f MB\n", rows, float64(fi.Size())/1e6)

	// Measure the real command, as a user runs it.
	bin := filepath.Join(dir, "unvite")
	build := exec.Command("go", "build", "-o", bin, "./cmd/unvite")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("build unvite (run from the repository root): %w", err)
	}
	_, haveSQLite := exec.LookPath("sqlite3")
	var ours, theirs []sample
	for i := 0; i < runs; i++ {
		db := filepath.Join(dir, fmt.Sprintf("u%d.db", i))
		s, err := measure(bin, "--db", db, "import", "--quiet", csvPath)
		if err != nil {
			return err
		}
		ours = append(ours, s)
		if haveSQLite == nil {
			ref := filepath.Join(dir, fmt.Sprintf("s%d.db", i))
			s, err := measure("sqlite3", ref, "-cmd", ".mode csv", ".import "+csvPath+" invitations")
			if err != nil {
				return err
			}
			theirs = append(theirs, s)
		}
	}
	o := median(ours)
	fmt.Printf("unvite import:  median %v  %.0f rows/s  peak RSS %.1f MB\n", o.wall.Round(time.Millisecond),
		float64(rows)/o.wall.Seconds(), float64(o.rssKB)/1024)
	if len(theirs) > 0 {
		t := median(theirs)
		fmt.Printf("sqlite3 .import: median %v  %.0f rows/s  peak RSS %.1f MB\n", t.wall.Round(time.Millisecond),
			float64(rows)/t.wall.Seconds(), float64(t.rssKB)/1024)
		fmt.Printf("ratio unvite/sqlite3: %.2f×\n", o.wall.Seconds()/t.wall.Seconds())
	} else {
		fmt.Println("sqlite3 not found: no comparison")
	}
	return nil
}
