package sandbox

import (
	"container/heap"
	"encoding/base64"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"sync"
	"time"
)

// Account is one simulated LinkedIn member: its session, its network and
// the faults injected into its traffic. Its methods are safe for
// concurrent use.
type Account struct {
	cfg        AccountConfig // resolved: no zero fields left that have defaults
	me         *person
	trackingID string

	mu       sync.Mutex
	rng      *rand.Rand // network: fates of new invitations
	faultRNG *rand.Rand // fault probabilities, kept apart so faults do not shift the network
	gen      *generator

	people       map[string]*person // by profile id
	invs         []*invitation      // every sent invitation, newest first
	byID         map[int64]*invitation
	fates        acceptHeap
	pendingCache []*invitation
	dirty        bool
	conns        []connection // oldest first
	withdrawn    []*invitation
	sends        []sendRecord // invitations sent through the API, for the limits
	received     []*receivedInv
	receivedByID map[int64]*receivedInv

	ceiling       int
	weeklyLimit   int
	notesPerMonth int
	noteLimit     int
	coolDown      time.Duration
	connLimit     int
	background    int

	faults  Faults
	window  []time.Time // request times in the rate-limit minute
	removed map[PathKind]bool
}

// AddAccount creates an account and seeds its network against the current
// simulated time. It panics if the key or li_at is already taken.
func (s *Sandbox) AddAccount(cfg AccountConfig) *Account {
	a, err := s.addAccount(cfg)
	if err != nil {
		panic(err)
	}
	return a
}

func (s *Sandbox) addAccount(cfg AccountConfig) (*Account, error) {
	now := s.clock.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if cfg.Key == "" {
		cfg.Key = fmt.Sprintf("acct%d", len(s.order)+1)
	}
	if s.byKey[cfg.Key] != nil {
		return nil, fmt.Errorf("sandbox: account %q already exists", cfg.Key)
	}
	seed := cfg.Seed
	if seed == 0 {
		h := fnv.New64a()
		h.Write([]byte(cfg.Key))
		seed = s.opts.Seed ^ h.Sum64()
	}
	a := &Account{
		rng:          rand.New(rand.NewPCG(seed, 0x5eed)),
		faultRNG:     rand.New(rand.NewPCG(seed, 0xfa17)),
		people:       map[string]*person{},
		byID:         map[int64]*invitation{},
		receivedByID: map[int64]*receivedInv{},
		removed:      map[PathKind]bool{},
		dirty:        true,
	}
	a.gen = newGenerator(a.rng)
	a.resolve(&cfg, s.opts)
	if s.byLiAt[cfg.LiAt] != nil {
		return nil, fmt.Errorf("sandbox: li_at of account %q already in use", cfg.Key)
	}
	a.cfg = cfg
	a.seed(now)
	s.byKey[cfg.Key] = a
	s.byLiAt[cfg.LiAt] = a
	s.order = append(s.order, a)
	return a, nil
}

// resolve fills cfg's zero fields with seeded or default values.
func (a *Account) resolve(cfg *AccountConfig, opts Options) {
	me := a.gen.person()
	if cfg.FirstName != "" || cfg.LastName != "" {
		me.first, me.last = cfg.FirstName, cfg.LastName
		me.slug = slugify(me.name()) + "-" + fmt.Sprintf("%08x", a.rng.Uint32())
	}
	if cfg.Headline != "" {
		me.headline = cfg.Headline
	}
	if cfg.Slug != "" {
		me.slug = cfg.Slug
	}
	if cfg.ProfileID != "" {
		me.profileID = cfg.ProfileID
	}
	if cfg.MemberID != 0 {
		me.memberNum = cfg.MemberID
	}
	a.gen.reserve(me)
	a.me = me
	var tid [16]byte
	for i := range tid {
		tid[i] = byte(a.rng.Uint32())
	}
	a.trackingID = base64.StdEncoding.EncodeToString(tid[:])
	cfg.FirstName, cfg.LastName, cfg.Headline = me.first, me.last, me.headline
	cfg.Slug, cfg.ProfileID, cfg.MemberID = me.slug, me.profileID, me.memberNum
	if cfg.LiAt == "" {
		cfg.LiAt = a.gen.token("AQEDAS", 40)
	}
	if cfg.JSessionID == "" {
		cfg.JSessionID = fmt.Sprintf("ajax:%019d", a.rng.Int64N(1e18)+1e18)
	}
	if cfg.Months <= 0 {
		cfg.Months = DefaultMonths
	}
	a.ceiling = cfg.Ceiling
	if a.ceiling == 0 {
		a.ceiling = opts.Ceiling
	}
	a.weeklyLimit = orDefault(cfg.WeeklyLimit, DefaultWeeklyFree)
	a.noteLimit = orDefault(cfg.NoteLimit, DefaultNoteLimitFree)
	if cfg.Premium {
		a.weeklyLimit = orDefault(cfg.WeeklyLimit, DefaultWeeklyPremium)
		a.noteLimit = orDefault(cfg.NoteLimit, DefaultNoteLimit)
	}
	a.notesPerMonth = orDefault(cfg.NotesPerMonth, DefaultNotesPerMonth)
	a.coolDown = cfg.CoolDown
	if a.coolDown <= 0 {
		a.coolDown = DefaultCoolDown
	}
	a.connLimit = orDefault(cfg.ConnectionLimit, DefaultConnectionLimit)
	a.background = cfg.BackgroundConnections
	for _, k := range cfg.Removed {
		a.removed[k] = true
	}
}

func orDefault(v, d int) int {
	if v > 0 {
		return v
	}
	return d
}

// seed invents the account's history: SentInvitations spread uniformly over
// Months months before now, each with its fate, and ReceivedInvitations
// over the last 30 days. Fates already due are applied at once.
func (a *Account) seed(now time.Time) {
	span := now.Sub(now.AddDate(0, -a.cfg.Months, 0)).Milliseconds()
	a.invs = make([]*invitation, 0, a.cfg.SentInvitations)
	for range a.cfg.SentInvitations {
		p := a.gen.person()
		a.people[p.profileID] = p
		at := now.Add(-time.Duration(1+a.rng.Int64N(span)) * time.Millisecond).Truncate(time.Millisecond)
		inv := &invitation{to: p, sentAt: at, secret: a.gen.token("", 8)}
		inv.id = a.gen.invitationID(at)
		if a.rng.IntN(2) == 0 {
			inv.note = a.gen.note(p, a.noteLimit)
		}
		if ok, d := drawFate(a.rng); ok {
			inv.acceptAt = at.Add(d)
		}
		for a.byID[inv.id] != nil {
			inv.id++
		}
		a.byID[inv.id] = inv
		p.latest = inv
		a.invs = append(a.invs, inv)
		if !inv.acceptAt.IsZero() {
			a.fates = append(a.fates, inv)
		}
	}
	slices.SortFunc(a.invs, newerFirst)
	heap.Init(&a.fates)

	monthSpan := (30 * day).Milliseconds()
	for range a.cfg.ReceivedInvitations {
		p := a.gen.person()
		a.people[p.profileID] = p
		at := now.Add(-time.Duration(1+a.rng.Int64N(monthSpan)) * time.Millisecond).Truncate(time.Millisecond)
		r := &receivedInv{id: a.gen.invitationID(at), from: p, sentAt: at, secret: a.gen.token("", 8)}
		if a.rng.IntN(3) == 0 {
			r.note = a.gen.note(p, DefaultNoteLimitFree)
		}
		for a.receivedByID[r.id] != nil || a.byID[r.id] != nil {
			r.id++
		}
		a.receivedByID[r.id] = r
		a.received = append(a.received, r)
	}
	slices.SortFunc(a.received, func(x, y *receivedInv) int { return y.sentAt.Compare(x.sentAt) })
	a.settle(now)
}

// Key names the account in tests and the admin API.
func (a *Account) Key() string { return a.cfg.Key }

// LiAt is the li_at session cookie the account accepts.
func (a *Account) LiAt() string { return a.cfg.LiAt }

// JSessionID is the JSESSIONID cookie value, without quotes ("ajax:…").
func (a *Account) JSessionID() string { return a.cfg.JSessionID }

// CSRFToken is the csrf-token header a client must send.
func (a *Account) CSRFToken() string { return a.cfg.JSessionID }

// CookieHeader is a Cookie header as a browser sends it.
func (a *Account) CookieHeader() string {
	return fmt.Sprintf(`li_at=%s; JSESSIONID="%s"`, a.cfg.LiAt, a.cfg.JSessionID)
}

// Config is the account's configuration with seeded and default values
// filled in.
func (a *Account) Config() AccountConfig {
	c := a.cfg
	c.Removed = a.Removed()
	return c
}

// Faults returns the faults in force, with counters as consumed so far.
func (a *Account) Faults() Faults {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.faults
}

// SetFaults replaces the account's faults.
func (a *Account) SetFaults(f Faults) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.faults = f
}

// SetRemoved makes a call variant answer 404 (removed) or work again.
func (a *Account) SetRemoved(kind PathKind, removed bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if removed {
		a.removed[kind] = true
	} else {
		delete(a.removed, kind)
	}
}

// Removed lists the call variants answering 404.
func (a *Account) Removed() []PathKind {
	a.mu.Lock()
	defer a.mu.Unlock()
	var ks []PathKind
	for k := range a.removed {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func (a *Account) isRemoved(k PathKind) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.removed[k]
}
