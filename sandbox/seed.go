package sandbox

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
	"unicode"
)

// Word lists for invented people. Some names are non-ASCII on purpose:
// their slugs need percent-encoding in profile URLs.
var (
	firstNames = []string{
		"Maya", "Daniel", "Chloé", "José", "Zoë", "Łukasz", "Søren", "Ngozi", "Björn", "Amélie",
		"Aditya", "Priya", "Mateus", "Inês", "Kenji", "Yuki", "Fatima", "Omar", "Léa", "Noah",
		"Emma", "Liam", "Olivia", "Lucas", "Sofia", "Mia", "Elena", "Ivan", "Anna", "Marta",
		"Tomás", "Joaquín", "Aoife", "Siobhán", "Oğuz", "Ayşe", "Gökhan", "Hana", "Minh", "Thảo",
		"Wei", "Jing", "Raj", "Ananya", "Kwame", "Amara", "Chidi", "Lars", "Ingrid", "Freya",
		"Henrik", "Pieter", "Sanne", "Giulia", "Matteo", "Francesca", "Dmitri", "Olga", "Zsófia", "Ábel",
		"Renée", "François", "Maël", "Nils", "Jonas", "Sarah", "David", "Rachel", "Samuel", "Grace",
		"Ethan", "Isabel", "Carmen", "Pablo", "Andrés", "Lucía", "Mariana", "Thiago", "João", "Beatriz",
		"Ahmed", "Layla", "Youssef", "Nour", "Tariq", "Dariush", "Aiko", "Haruto", "Mary Ann", "Jean-Luc",
		"美咲", "伟",
	}
	lastNames = []string{
		"Lindqvist", "Kim", "Dubois", "García", "Müller", "Nguyễn", "Öztürk", "Kowalski", "Søndergaard", "O'Brien",
		"van der Berg", "Dvořák", "Novák", "Papadopoulos", "Rossi", "Bianchi", "Silva", "Santos", "Pereira", "Sato",
		"Tanaka", "Suzuki", "Chen", "Wang", "Li", "Patel", "Sharma", "Gupta", "Okafor", "Adeyemi",
		"Mensah", "Haddad", "Khalil", "Cohen", "Levi", "Schmidt", "Schneider", "Fischer", "Weber", "Jensen",
		"Hansen", "Nielsen", "Johansson", "Andersson", "Virtanen", "Korhonen", "Horváth", "Nagy", "Popescu", "Ionescu",
		"Ivanov", "Smirnov", "Kuznetsov", "Fernández", "López", "Martínez", "Gómez", "Smith", "Johnson", "Brown",
		"Taylor", "Wilson", "Martin", "Bernard", "Leroy", "Moreau", "Lefèvre", "Ó Súilleabháin", "MacLeod", "Zhang",
		"Liu", "Huang", "Yılmaz", "Demir", "Şahin", "Çelik", "Ferreira", "Costa", "Ribeiro", "Almeida",
		"Murphy", "Kelly", "Byrne", "Walsh", "García-López", "Åberg", "Østergaard", "Weiß", "佐藤", "王",
	}
	roles = []string{
		"Software Engineer", "Senior Software Engineer", "Product Manager", "VP Sales", "Head of Research",
		"Data Scientist", "Recruiter", "Talent Partner", "Founder", "CTO", "Policy Advisor", "Account Executive",
		"UX Designer", "Marketing Lead", "Engineering Manager", "DevOps Engineer", "Financial Analyst",
		"Consultant", "Operations Director", "Customer Success Manager", "Researcher", "Professor",
		"Brand Strategist", "Architect", "Legal Counsel", "Chief of Staff", "Sales Development Representative",
		"Investor", "Community Manager", "Developer Advocate",
	}
	companyHeads = []string{
		"Northwind", "Société", "Blue", "Nordic", "Vertex", "Lumière", "Kraftwerk", "Sakura", "Atlas", "Helios",
		"Quantum", "Green", "Fjord", "Iberia", "Danube", "Andes", "Baobab", "Cobalt", "Meridian", "Polaris",
		"Zürich", "Kōbe", "Ñandú", "Aurora", "Saffron", "Granite", "Harbour", "Lotus", "Orchard", "Tundra",
	}
	companyTails = []string{
		"Analytics", "Labs", "Systems", "Capital", "Health", "Logistics", "Robotics", "Studio", "Bank",
		"Energy", "Foods", "Partners", "Ventures", "Software", "Media", "Consulting", "Insurance", "Mobility",
	}
	companySuffixes = []string{"", "", "", " GmbH", " SA", " Ltd", " Inc.", " AB", " BV", " S.p.A.", " K.K.", " & Co."}
	noteTopics      = []string{
		"open banking", "Rust in production", "climate tech", "Kubernetes", "B2B sales", "the Lisbon meetup",
		"machine learning", "the Brussels policy forum", "hiring in Zürich", "design systems", "São Paulo",
		"supply chains", "developer relations", "the Kraków conference",
	}
	noteTemplates = []string{
		"Hi %s, we spoke about %s; glad to connect.",
		"Hello %s! I enjoyed your post on %s. Let's stay in touch.",
		"%s, I'm building a team around %s and would love to connect.\nBest wishes",
		`Hi %s, loved your talk "%s" — would be great to connect, if you're open to it.`,
		"Bonjour %s, au sujet de %s : ravi·e de rejoindre votre réseau.",
	}
)

const idAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// generator invents unique people and ids for one account.
type generator struct {
	r        *rand.Rand
	names    map[string]bool
	slugs    map[string]bool
	profiles map[string]bool
	members  map[int64]bool
	seq      int64
}

func newGenerator(r *rand.Rand) *generator {
	return &generator{r: r, names: map[string]bool{}, slugs: map[string]bool{},
		profiles: map[string]bool{}, members: map[int64]bool{}}
}

func (g *generator) pick(list []string) string { return list[g.r.IntN(len(list))] }

func (g *generator) token(prefix string, n int) string {
	var b strings.Builder
	b.WriteString(prefix)
	for range n {
		b.WriteByte(idAlphabet[g.r.IntN(len(idAlphabet))])
	}
	return b.String()
}

// reserve marks an existing person's identifiers as taken.
func (g *generator) reserve(p *person) {
	g.names[p.name()] = true
	g.slugs[p.slug] = true
	g.profiles[p.profileID] = true
	g.members[p.memberNum] = true
}

// person invents someone whose full name, slug, profile id and member
// number are unique in this account.
func (g *generator) person() *person {
	p := &person{}
	for attempt := 0; ; attempt++ {
		p.first, p.last = g.pick(firstNames), g.pick(lastNames)
		if attempt >= 3 {
			p.first += " " + string(rune('A'+g.r.IntN(26))) + "."
		}
		if attempt >= 40 {
			p.last += fmt.Sprintf(" %d", g.r.IntN(1_000_000))
		}
		if !g.names[p.name()] {
			break
		}
	}
	g.names[p.name()] = true
	p.company = g.pick(companyHeads) + " " + g.pick(companyTails) + g.pick(companySuffixes)
	if g.r.IntN(20) == 0 {
		p.role = g.pick(roles)
		p.headline = p.role
	} else {
		p.role = g.pick(roles)
		p.headline = p.role + " at " + p.company
	}
	for {
		p.slug = slugify(p.first+" "+p.last) + "-" + fmt.Sprintf("%08x", g.r.Uint32())
		if !g.slugs[p.slug] {
			break
		}
	}
	g.slugs[p.slug] = true
	for {
		p.profileID = g.token("ACoAA", 10)
		if !g.profiles[p.profileID] {
			break
		}
	}
	g.profiles[p.profileID] = true
	p.memberNum = g.memberNum()
	return p
}

func (g *generator) memberNum() int64 {
	for {
		n := 100_000_000 + g.r.Int64N(900_000_000)
		if !g.members[n] {
			g.members[n] = true
			return n
		}
	}
}

// note invents a personalised message of at most limit characters.
func (g *generator) note(p *person, limit int) string {
	first, _, _ := strings.Cut(p.first, " ")
	n := fmt.Sprintf(g.pick(noteTemplates), first, g.pick(noteTopics))
	if r := []rune(n); len(r) > limit {
		n = string(r[:limit])
	}
	return n
}

// invitationID makes a LinkedIn-like 19-digit invitation number that grows
// with the sending time, unique within the account.
func (g *generator) invitationID(at time.Time) int64 {
	g.seq++
	return 6_000_000_000_000_000_000 + at.UnixMilli()<<20 + g.seq&(1<<20-1)
}

// slugify lower-cases a name into a public identifier: letters and digits
// kept (non-ASCII too), spaces to hyphens, punctuation dropped.
func slugify(name string) string {
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(name) {
		switch {
		case unicode.IsLetter(c) || unicode.IsDigit(c):
			b.WriteRune(c)
			dash = false
		case (c == ' ' || c == '-') && !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}
