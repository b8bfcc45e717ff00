//go:build ignore

// testreport reads `go test -json` on stdin and prints what `go test`
// prints without -v: the ok/FAIL line of each package, the output of each
// failed test, build errors. It then fails (exit 1) when any test failed or
// was skipped, listing each skipped test with its reason: CI runs every
// test, so a skip means a missing part (PostgreSQL, ../shared, …) and must
// not pass unnoticed. Run it as: go test -json ./... | go run .ci/testreport.go
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// event is one line of `go test -json` (cmd/test2json).
type event struct {
	Action     string
	Package    string
	ImportPath string // build-output events
	Test       string
	Output     string
}

type skip struct{ pkg, test, reason string }

func main() {
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	ok, err := report(os.Stdin, out)
	if err != nil {
		fmt.Fprintln(out, "testreport:", err)
		out.Flush()
		os.Exit(2)
	}
	if !ok {
		out.Flush()
		os.Exit(1)
	}
}

func report(r io.Reader, w *bufio.Writer) (bool, error) {
	logs := map[string][]string{} // package + test → output lines
	var skips []skip
	var failedTests, failedPkgs, passed int
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		if err := json.Unmarshal(line, &e); err != nil || e.Action == "" {
			// Not an event (go vet or the linker writing plainly): pass on.
			fmt.Fprintf(w, "%s\n", line)
			continue
		}
		key := e.Package + " " + e.Test
		switch e.Action {
		case "build-output":
			fmt.Fprint(w, e.Output)
		case "output":
			if e.Test == "" {
				// The package's own lines: ok/FAIL, panics, TestMain output.
				if !strings.HasPrefix(e.Output, "=== ") && !strings.HasPrefix(e.Output, "PASS\n") {
					fmt.Fprint(w, e.Output)
				}
				continue
			}
			logs[key] = append(logs[key], e.Output)
		case "pass":
			if e.Test != "" {
				passed++
			}
			delete(logs, key)
		case "fail":
			if e.Test == "" {
				failedPkgs++
				continue
			}
			failedTests++
			for _, l := range logs[key] {
				if !strings.HasPrefix(l, "=== ") {
					fmt.Fprint(w, l)
				}
			}
			delete(logs, key)
		case "skip":
			if e.Test == "" {
				continue // a package without tests
			}
			skips = append(skips, skip{e.Package, e.Test, reason(logs[key])})
			delete(logs, key)
		}
		w.Flush()
	}
	if err := sc.Err(); err != nil {
		return false, err
	}
	sort.Slice(skips, func(i, j int) bool {
		if skips[i].pkg != skips[j].pkg {
			return skips[i].pkg < skips[j].pkg
		}
		return skips[i].test < skips[j].test
	})
	if len(skips) > 0 {
		fmt.Fprintf(w, "--- FAIL: %d test(s) skipped; CI runs every test (a skip means a missing part):\n", len(skips))
		for _, s := range skips {
			fmt.Fprintf(w, "    %s %s: %s\n", s.pkg, s.test, s.reason)
		}
	}
	fmt.Fprintf(w, "tests: %d passed, %d failed, %d skipped; %d package(s) failed\n", passed, failedTests, len(skips), failedPkgs)
	if failedTests+failedPkgs+len(skips) > 0 {
		fmt.Fprintln(w, "FAIL")
		return false, nil
	}
	fmt.Fprintln(w, "ok")
	return true, nil
}

// reason is what a skipped test logged: the t.Skip message, without the
// "=== RUN" and "--- SKIP" lines.
func reason(lines []string) string {
	var msg []string
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "=== ") || strings.HasPrefix(t, "--- SKIP") {
			continue
		}
		msg = append(msg, t)
	}
	if len(msg) == 0 {
		return "(no reason given)"
	}
	return strings.Join(msg, " ")
}
