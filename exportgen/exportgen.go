// Package exportgen writes synthetic LinkedIn data-export files in the exact
// byte formats of real ones (see the fixtures), for scale tests and
// benchmarks. Output is deterministic for a seed. It must not import the
// importer: the importer's tests use it.
package exportgen

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"net/url"
	"strings"
	"time"
)

// The account whose export the generated files are.
const (
	AccountName = "Alex Example"
	AccountURL  = "https://www.linkedin.com/in/alex-example-5f3a9c21"
)

// InvitationsHeader and ConnectionsHeader are the header lines of the
// current (2023 and later) formats.
const (
	InvitationsHeader = "From,To,Sent At,Message,Direction,inviterProfileUrl,inviteeProfileUrl"
	ConnectionsHeader = "First Name,Last Name,URL,Email Address,Company,Position,Connected On"
)

// connectionsPreamble precedes the header in Connections.csv since about 2020.
const connectionsPreamble = "Notes:\n" +
	`"When you export your connections, some email addresses may be missing: you only see the email addresses ` +
	`of connections who allow it in their privacy settings (https://www.linkedin.com/psettings/privacy/email)."` +
	"\n\n"

// Summary counts what WriteInvitations and WriteConnections write for the
// same arguments, so tests can assert an import without parsing twice.
type Summary struct {
	Rows        int // invitation rows
	Outgoing    int
	Incoming    int
	WithMessage int // outgoing rows with a message
	Connections int
	Accepted    int // outgoing invitations whose invitee is in Connections.csv
}

// WriteInvitations writes an Invitations.csv with n rows, newest first,
// the newest shortly before end: about 97% outgoing, half of them with a
// message (some with commas, quotes, a line break or a leading "=").
func WriteInvitations(w io.Writer, n int, seed int64, end time.Time) error {
	return WriteInvitationsSpread(w, n, seed, end, time.Minute)
}

// WriteInvitationsSpread is WriteInvitations with gaps of 0-5 units between
// rows instead of 0-5 minutes, to spread fewer rows over months.
func WriteInvitationsSpread(w io.Writer, n int, seed int64, end time.Time, unit time.Duration) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	if _, err := bw.WriteString(InvitationsHeader + "\n"); err != nil {
		return fmt.Errorf("exportgen: write invitations: %w", err)
	}
	cw := csv.NewWriter(bw)
	g := newGen(seed, end, unit)
	rec := make([]string, 7)
	for range n {
		r := g.next()
		rec[2] = r.sent.Format("1/2/06, 3:04 PM")
		rec[3] = r.message
		if r.outgoing {
			rec[0], rec[1], rec[4], rec[5], rec[6] = AccountName, r.name(), "OUTGOING", AccountURL, r.url()
		} else {
			rec[0], rec[1], rec[4], rec[5], rec[6] = r.name(), AccountName, "INCOMING", r.url(), AccountURL
		}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("exportgen: write invitations: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("exportgen: write invitations: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("exportgen: write invitations: %w", err)
	}
	return nil
}

// WriteConnections writes the Connections.csv that goes with
// WriteInvitations(n, seed, end): the preamble, the header, then the
// invitees who accepted (a fraction accepted of the outgoing rows, connected
// 0-13 days after the invitation and not after end) and the inviters of
// about half the incoming rows, in the invitations' order.
func WriteConnections(w io.Writer, n int, seed int64, end time.Time, accepted float64) error {
	return WriteConnectionsSpread(w, n, seed, end, accepted, time.Minute)
}

// WriteConnectionsSpread goes with WriteInvitationsSpread for the same unit.
func WriteConnectionsSpread(w io.Writer, n int, seed int64, end time.Time, accepted float64, unit time.Duration) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	if _, err := bw.WriteString(connectionsPreamble + ConnectionsHeader + "\n"); err != nil {
		return fmt.Errorf("exportgen: write connections: %w", err)
	}
	cw := csv.NewWriter(bw)
	g := newGen(seed, end, unit)
	rec := make([]string, 7)
	for range n {
		r := g.next()
		on, ok := r.connected(accepted, end)
		if !ok {
			continue
		}
		rec[0], rec[1], rec[2], rec[3] = r.first, r.last, r.url(), ""
		rec[4], rec[5], rec[6] = r.company, r.position, on.Format("02 Jan 2006")
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("exportgen: write connections: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("exportgen: write connections: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("exportgen: write connections: %w", err)
	}
	return nil
}

// Summarize counts what the two writers write for these arguments.
func Summarize(n int, seed int64, end time.Time, accepted float64) Summary {
	var s Summary
	g := newGen(seed, end, time.Minute)
	for range n {
		r := g.next()
		s.Rows++
		if r.outgoing {
			s.Outgoing++
			if r.message != "" {
				s.WithMessage++
			}
		} else {
			s.Incoming++
		}
		if _, ok := r.connected(accepted, end); ok {
			s.Connections++
			if r.outgoing {
				s.Accepted++
			}
		}
	}
	return s
}

// row is one generated invitation with the details of its other person.
type row struct {
	i                 int
	outgoing          bool
	first, last, slug string
	company, position string
	sent              time.Time
	message           string
	luck              float64 // decides acceptance, drawn with the row so both writers agree
	delay             int     // days until connected, if ever
}

func (r *row) name() string { return r.first + " " + r.last }
func (r *row) url() string  { return "https://www.linkedin.com/in/" + url.PathEscape(r.slug) }

// connected says whether and when this row's person became a connection.
func (r *row) connected(accepted float64, end time.Time) (time.Time, bool) {
	p := accepted
	if !r.outgoing {
		p = 0.5
	}
	if r.luck >= p {
		return time.Time{}, false
	}
	on := r.sent.Truncate(24*time.Hour).AddDate(0, 0, r.delay)
	if on.After(end) {
		return time.Time{}, false
	}
	return on, true
}

type gen struct {
	rnd  *rand.Rand
	seed uint32
	at   time.Time
	unit time.Duration
	i    int
}

func newGen(seed int64, end time.Time, unit time.Duration) *gen {
	return &gen{rnd: rand.New(rand.NewPCG(uint64(seed), 0x756e76697465)), seed: uint32(seed), at: end.UTC().Truncate(time.Minute), unit: unit}
}

func (g *gen) next() row {
	rnd := g.rnd
	// Gaps of 0-5 units (minutes by default: a million rows span about five years).
	g.at = g.at.Add(-time.Duration(rnd.IntN(6)) * g.unit).Truncate(time.Minute)
	r := row{i: g.i, outgoing: rnd.IntN(100) < 97, sent: g.at}
	g.i++
	f := firstNames[rnd.IntN(len(firstNames))]
	l := lastNames[rnd.IntN(len(lastNames))]
	r.first, r.last = f, l
	// Slugs are unique per row: the row number mixed into eight hex digits.
	r.slug = slugger.Replace(strings.ToLower(f+"-"+l)) + fmt.Sprintf("-%08x", uint32(r.i)*2654435761^g.seed)
	r.company = companies[rnd.IntN(len(companies))]
	r.position = positions[rnd.IntN(len(positions))]
	if r.outgoing && rnd.IntN(2) == 0 {
		r.message = message(rnd, f)
	}
	r.luck = rnd.Float64()
	r.delay = delays[rnd.IntN(len(delays))]
	return r
}

// slugger makes a name into a slug as LinkedIn does: no apostrophes, dashes
// for spaces, accents kept (percent-encoded in URLs).
var slugger = strings.NewReplacer("'", "", " ", "-")

// delays skews connecting toward the same or next day, as real exports show.
var delays = []int{0, 0, 0, 0, 0, 1, 1, 1, 2, 3, 5, 6, 9, 13}

func message(rnd *rand.Rand, first string) string {
	switch k := rnd.IntN(1000); {
	case k == 0:
		return "Hi " + first + ",\nthanks for the talk yesterday.\nLet's connect!"
	case k == 1:
		return "=) Hi " + first + `, great meeting you, "seriously" - let's keep in touch.`
	case k < 150:
		return "Hi " + first + `, your "Scaling teams" talk was great - would love to connect.`
	default:
		return fmt.Sprintf(messages[rnd.IntN(len(messages))], first)
	}
}

var messages = []string{
	"Hi %s, I enjoyed your post on B2B onboarding and would love to connect.",
	"Hi %s! Fellow developer tools enthusiast here 🙂 Would love to connect.",
	"Hello %s, we met at the meetup last week. Let's stay in touch.",
	"%s - saw your work on data pipelines, impressive. Happy to connect, compare notes, and share ideas.",
	"Hi %s, I'm building a team in your area and would value your perspective.",
}

var firstNames = []string{
	"Noah", "Pierre", "Charlotte", "Piotr", "Andrew", "Aisha", "Nicole", "Omar", "Greta", "Lorenzo",
	"Finn", "Mariana", "Daniel", "Astrid", "Chiara", "Wei", "Tariq", "Francesca", "Jessica", "Ana",
	"Aoife", "Nia", "Fatima", "Wilhelm", "Olga", "Diego", "Yuki", "Ravi", "Katarzyna", "Valentina",
	"Liam", "Inés", "Søren", "Tomás", "Zoë", "José", "Chloé", "Emily", "Deepa", "Lucas",
}

var lastNames = []string{
	"Rossi", "Mwangi", "Thomas", "Nkosi", "Kowalski", "Scott", "O'Brien", "Adeyemi", "Wolf", "Nielsen",
	"Nwosu", "Park", "Fontaine", "Kim", "Rogers", "Campbell", "Bianchi", "Chen", "Smit", "Duarte",
	"de Vries", "White", "Baker", "Oliveira", "Horvat", "Khan", "Haddad", "Jansen", "Torres", "Anderson",
	"Miller", "Ó Súilleabháin", "Lindqvist", "Suzuki", "Visser", "Hassan", "Harris", "Walsh", "Hoffmann", "Müller",
}

var companies = []string{
	"Northwind Analytics", "Polaris Biotech", "Open Seas Foundation", "Harbor City Council", "Sakura Mobility",
	"Redwood Ventures", "Brightpath Health", "Bluefin Logistics", "Self-employed", "Copperleaf Software",
	"Quantix Labs", "Kestrel Security", "Meridian Capital", "Greenfield University", "Cedar Grove Consulting",
	"Vantage Retail Group", "Helios Energy", "Nimbus Cloud", "Lumen Robotics", "Fjordline AS", "",
}

var positions = []string{
	"Product Manager", "Recruiter", "Engineering Manager", "Student", "Policy Advisor", "CFO",
	"Head of Partnerships", "Data Scientist", "Talent Acquisition Lead", "Research Fellow", "VP Sales",
	"Director, Business Development", "Senior Software Engineer", "",
}
