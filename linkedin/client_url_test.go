package linkedin_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite/linkedin"
)

// Plain http carries the session cookies in clear text: only to this machine.
func TestNewRefusesPlainHTTPElsewhere(t *testing.T) {
	sess := linkedin.Session{LiAt: "AQEsecret", JSESSIONID: "ajax:1"}
	for _, base := range []string{"http://www.linkedin.com", "http://10.0.0.5:8321", "http://sandbox.example", "http://127.0.0.1.example.com"} {
		_, err := linkedin.New(linkedin.Config{BaseURL: base, Session: sess})
		require.ErrorContains(t, err, "clear text", base)
		require.NotContains(t, err.Error(), "AQEsecret")
	}
	for _, base := range []string{"https://www.linkedin.com", "http://127.0.0.1:8321", "http://127.8.9.1", "http://[::1]:8321", "http://localhost:8321", "https://sandbox.example"} {
		_, err := linkedin.New(linkedin.Config{BaseURL: base, Session: sess})
		require.NoError(t, err, base)
	}
}
