package analytics

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// Position keywords are the words of the position part of a headline,
// before the company or a tagline, lower-cased, once each, without filler.
func TestPositionKeywords(t *testing.T) {
	for headline, want := range map[string][]string{
		"Senior Software Engineer at Acme Corp":   {"senior", "software", "engineer"},
		"Head of Sales | Helping SaaS teams grow": {"head", "sales"},
		"CTO @ Kōbe Systems":                      {"cto"},
		"Data Scientist - ML, NLP":                {"data", "scientist"},
		"C++ / C# developer, developer advocate":  {"c++", "c#", "developer"},
		"Recruiter and the recruiter":             {"recruiter"},
		"Senior Engineer AT Acme":                 {"senior", "engineer"},
		"Ingénieure logiciel chez Dassault":       {"ingénieure", "logiciel"},
		"Softwareentwickler bei SAP":              {"softwareentwickler"},
		"Ingeniero de software en Globant":        {"ingeniero", "software"},
		"Engenheira de Software na Nubank":        {"engenheira", "software"},
		"Consulente presso Accenture":             {"consulente"},
		"Developer bij ING":                       {"developer"},
		"":                                        nil,
		"I":                                       nil,
	} {
		got := positionKeywords(headline, nil)
		if len(want) == 0 {
			require.Empty(t, got, headline)
			continue
		}
		require.Equal(t, want, got, headline)
	}
}
