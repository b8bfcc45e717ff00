package policy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"
	"github.com/unvite/unvite"
)

// File is a parsed policy file: top-level keys are every account's
// defaults, and [account."<slug or id>"] tables override the keys they set.
type File struct {
	// Name is the path or name the file was read under.
	Name string
	// Found is false when there was no file and the defaults are in force.
	Found bool

	base     unvite.Policy
	accounts []accountTable
	lines    map[string]int // key path → line, for messages

	mu sync.Mutex // PrimitiveDecode writes to md's bookkeeping
	md toml.MetaData
}

type accountTable struct {
	key  string
	prim toml.Primitive
}

// document is the file's shape. The embedded Policy takes the top-level keys.
type document struct {
	unvite.Policy
	Account map[string]toml.Primitive `toml:"account"`
}

// Load reads the policy file at path. A missing file is not an error: the
// File then holds Default() and Found is false.
func Load(path string) (*File, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &File{Name: path, base: Default()}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("policy: read %s: %w", path, err)
	}
	return Parse(bytes.NewReader(b), path)
}

// Parse reads a policy file from r; name is used in messages. Unknown keys
// and wrong types are EINVALID errors that give the line.
func Parse(r io.Reader, name string) (*File, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("policy: read %s: %w", name, err)
	}
	src := string(b)
	short := filepath.Base(name)
	if name == "" {
		short = "policy"
	}

	doc := document{Policy: Default()}
	md, err := toml.NewDecoder(strings.NewReader(src)).Decode(&doc)
	if err != nil {
		return nil, tomlError(short, err)
	}
	f := &File{Name: name, Found: true, base: doc.Policy, md: md, lines: keyLines(src)}
	tidy(&f.base)

	// Decode every account table once now, so that its unknown keys and
	// wrong types are reported here rather than when the account is used.
	for key, prim := range doc.Account {
		p := clone(f.base)
		if err := md.PrimitiveDecode(prim, &p); err != nil {
			return nil, tomlError(short, err)
		}
		f.accounts = append(f.accounts, accountTable{key: key, prim: prim})
	}
	// Map order is random; keep the file's order for CheckAll.
	sortByLine(f.accounts, f.lines)

	if undec := md.Undecoded(); len(undec) > 0 {
		return nil, f.unknownKeys(short, undec)
	}
	return f, nil
}

// For returns the policy in force for one account: the defaults, then the
// file's top-level keys, then the table named by the account's slug (any
// case), then the table named by its id.
func (f *File) For(accountSlug string, accountID int64) unvite.Policy {
	p := clone(f.base)
	id := ""
	if accountID != 0 {
		id = strconv.FormatInt(accountID, 10)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, want := range []string{accountSlug, id} {
		if want == "" {
			continue
		}
		for _, t := range f.accounts {
			if strings.EqualFold(t.key, want) {
				p.Protect.Tags = cloneStrings(p.Protect.Tags)
				p.Protect.Profiles = cloneStrings(p.Protect.Profiles)
				// Parse decoded this table already; it cannot fail now.
				_ = f.md.PrimitiveDecode(t.prim, &p)
			}
		}
	}
	tidy(&p)
	return p
}

// Accounts lists the keys of the file's [account."…"] tables in file order.
func (f *File) Accounts() []string {
	keys := make([]string, len(f.accounts))
	for i, t := range f.accounts {
		keys[i] = t.key
	}
	return keys
}

// CheckAll checks the file's top-level policy and, for every account table,
// the policy it makes, reporting an account's problem only when the
// top-level policy does not have it already.
func (f *File) CheckAll() []Problem {
	base := Check(f.base)
	seen := make(map[string]bool, len(base))
	for i := range base {
		base[i].Line = f.line(nil, base[i].Field)
		seen[base[i].Severity+base[i].Field+base[i].Message] = true
	}
	all := base
	for _, t := range f.accounts {
		f.mu.Lock()
		p := clone(f.base)
		_ = f.md.PrimitiveDecode(t.prim, &p)
		f.mu.Unlock()
		for _, pr := range Check(p) {
			if seen[pr.Severity+pr.Field+pr.Message] {
				continue
			}
			pr.Account = t.key
			pr.Line = f.line([]string{"account", t.key}, pr.Field)
			all = append(all, pr)
		}
	}
	return all
}

// line finds where field (like "protect.tags[2]") is set under table, or 0.
func (f *File) line(table []string, field string) int {
	if i := strings.IndexByte(field, '['); i >= 0 {
		field = field[:i]
	}
	return f.linePath(append(slices.Clone(table), strings.Split(field, ".")...))
}

// linePath finds where the key path, or the nearest table holding it, is
// written, or 0.
func (f *File) linePath(path []string) int {
	for len(path) > 0 {
		if n, ok := f.lines[pathKey(path)]; ok {
			return n
		}
		path = path[:len(path)-1]
	}
	return 0
}

func (f *File) unknownKeys(short string, keys []toml.Key) error {
	var msgs []string
	var reported []toml.Key
outer:
	for _, k := range keys {
		// An unknown table's keys are all undecoded: name only the table.
		for _, r := range reported {
			if len(k) > len(r) && pathKey(k[:len(r)]) == pathKey(r) {
				continue outer
			}
		}
		reported = append(reported, k)
		msg := fmt.Sprintf("unknown key %q", strings.Join(k, "."))
		if len(k) > 2 && k[0] == "account" {
			msg = fmt.Sprintf("unknown key %q in [account.%s]", strings.Join(k[2:], "."), toml.Key{k[1]}.String())
		}
		if s := suggest(k); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
		if n := f.linePath(k); n > 0 {
			msg = fmt.Sprintf("line %d: %s", n, msg)
		}
		msgs = append(msgs, short+": "+msg)
	}
	return unvite.Errorf(unvite.EINVALID, "%s", strings.Join(msgs, "\n"))
}

// tomlError turns the decoder's errors into EINVALID ones that lead with
// the file's name and the line.
func tomlError(short string, err error) error {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		msg := fmt.Sprintf("%s: line %d: %s", short, pe.Position.Line, pe.Message)
		if pe.LastKey != "" {
			msg = fmt.Sprintf("%s: line %d: %s: %s", short, pe.Position.Line, pe.LastKey, pe.Message)
		}
		return unvite.Errorf(unvite.EINVALID, "%s", msg)
	}
	// Type mismatches read "toml: line 4 (last key "daily_limit"): …".
	return unvite.Errorf(unvite.EINVALID, "%s: %s", short, strings.TrimPrefix(err.Error(), "toml: "))
}

// knownKeys are the keys a table of policy keys may hold.
var knownKeys = []string{
	"min_age_days", "review_age_days", "consider_age_days", "withdraw_age_days",
	"pending_cap", "daily_limit", "active_hours", "time_zone", "cool_down_days",
	"enabled", "min_gap", "max_gap", "sync_every", "max_failures",
	"max_age", "order", "auto_age", "protect",
}

var knownProtectKeys = []string{"tags", "profiles", "with_note"}

var knownAutoAgeKeys = []string{"threshold_percent", "floor_days", "ceiling_days", "min_accepted"}

// suggest names the known key an unknown one was probably meant to be.
func suggest(k toml.Key) string {
	rel := []string(k)
	if len(rel) > 2 && rel[0] == "account" {
		rel = rel[2:]
	}
	var candidates []string
	switch {
	case len(rel) == 1:
		candidates = slices.Concat(knownKeys, []string{"account"})
	case len(rel) == 2 && rel[0] == "protect":
		candidates = knownProtectKeys
	case len(rel) == 2 && rel[0] == "auto_age":
		candidates = knownAutoAgeKeys
	default:
		return ""
	}
	last := strings.ToLower(rel[len(rel)-1])
	best, bestD := "", len(last)/2+1
	for _, c := range candidates {
		if strings.HasPrefix(c, last) && len(last) >= 3 {
			return c
		}
		if d := distance(last, c); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// distance is the Levenshtein distance between two short ASCII keys.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
