package importer_test

import (
	"bytes"
	"io"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/importer"
)

// The seeds below are small; testdata/fuzz/<FuzzName>/ holds more, cut from
// the fixtures' formats.

func FuzzInvitationsReader(f *testing.F) {
	f.Add([]byte("From,To,Sent At,Message,Direction\nRavi Iyer,Ana Baker,\"10/24/18, 7:08 AM\",,OUTGOING\nJessica White,Ravi Iyer,\"11/3/18, 2:59 PM\",,INCOMING\n"))
	f.Add([]byte("\ufeffFrom,To,Sent At,Message,Direction,inviterProfileUrl,inviteeProfileUrl\r\nMaya Lindqvist,Daan Visser,\"11/24/25, 8:49\u202fAM\",\"Hi Daan,\nthanks\",OUTGOING,https://www.linkedin.com/in/maya,https://www.linkedin.com/in/daan%C3%A9\r\n"))
	f.Add([]byte("From,To,Sent At,Message,Direction\nA,B,\"2/29/24, 12:00 PM\",\"=) \"\"quoted\"\"\",incoming\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := importer.NewInvitationsReader(bytes.NewReader(data), "fuzz.csv")
		if err != nil {
			requireInvalid(t, err)
			return
		}
		line := 0
		for {
			inv, err := r.Next()
			if err == io.EOF {
				return
			}
			if err != nil {
				requireInvalid(t, err)
				return
			}
			if r.Line() <= line {
				t.Fatalf("line %d after line %d", r.Line(), line)
			}
			line = r.Line()
			if inv.Direction != unvite.Sent && inv.Direction != unvite.Received {
				t.Fatalf("direction %q", inv.Direction)
			}
			if inv.Kind != unvite.KindPerson || inv.Source != unvite.SourceExport || inv.Status != unvite.StatusPending {
				t.Fatalf("kind %q source %q status %q", inv.Kind, inv.Source, inv.Status)
			}
			requireTime(t, inv.SentAt)
			if inv.Note != strings.TrimSpace(inv.Note) || inv.HadNote != (inv.Note != "") {
				t.Fatalf("note %q had %v", inv.Note, inv.HadNote)
			}
			requirePerson(t, inv.Invitee)
			requireText(t, inv.Note)
		}
	})
}

func FuzzConnectionsReader(f *testing.F) {
	f.Add([]byte("Notes:\n\"When you export your connections, some email addresses may be missing.\"\n\nFirst Name,Last Name,URL,Email Address,Company,Position,Connected On\nAisha,Scott,https://www.linkedin.com/in/aisha-scott-ae09347b,,Copperleaf Software,CFO,19 Nov 2026\n"))
	f.Add([]byte("\ufeffFirst Name,Last Name,URL,Email Address,Company,Position,Connected On\r\nAisha,Scott,https://www.linkedin.com/in/aisha-scott,,Copperleaf,CFO,19-Nov-26\r\n"))
	f.Add([]byte("First Name,Last Name,Email Address,Company,Position,Connected On\nAna ,Baker,urn:li:member:664293716,Redwood Ventures,Policy Advisor,\"10/24/18, 7:19 AM\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := importer.NewConnectionsReader(bytes.NewReader(data), "fuzz.csv")
		if err != nil {
			requireInvalid(t, err)
			return
		}
		for {
			c, err := r.Next()
			if err == io.EOF {
				return
			}
			if err != nil {
				requireInvalid(t, err)
				return
			}
			requireTime(t, c.ConnectedOn)
			requirePerson(t, c.Person)
			if strings.HasPrefix(strings.ToLower(c.Email), "urn:li:") {
				t.Fatalf("a member URN as email: %q", c.Email)
			}
		}
	})
}

func FuzzSheetReader(f *testing.F) {
	f.Add([]byte("Name,Company,Profile URL,Date sent,Note included,Follow-up date,Status,Comments\nDeepa Visser,Ministry,https://www.linkedin.com/in/deepa-visser-deeeb10a,2026-06-08,yes,,accepted,intro via Ana\n"))
	f.Add([]byte("Full Name,LinkedIn,Sent on,Note,Follow up,Notes\nZoë Test,,2026-07-01,x,2026-07-22,\"met at conference, follow up\"\n,,,,,\n"))
	f.Add([]byte("name,sent\r\nA B,\"11/19/26, 4:50 PM\"\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := importer.NewSheetReader(bytes.NewReader(data), "fuzz.csv", nil)
		if err != nil {
			requireInvalid(t, err)
			return
		}
		for {
			row, err := r.Next()
			if err == io.EOF {
				return
			}
			if err != nil {
				requireInvalid(t, err)
				return
			}
			if row.Line < 1 {
				t.Fatalf("line %d", row.Line)
			}
			requireTime(t, row.SentOn)
			if !row.SentOn.Equal(row.SentOn.Truncate(24 * time.Hour)) {
				t.Fatalf("sent on %v is not a day", row.SentOn)
			}
			if row.Status != "" && !slices.Contains(unvite.Statuses, row.Status) {
				t.Fatalf("status %q", row.Status)
			}
			requirePerson(t, row.Person)
			requireText(t, row.Comment)
		}
	})
}

func requireInvalid(t *testing.T, err error) {
	t.Helper()
	if code := unvite.ErrorCode(err); code != unvite.EINVALID {
		t.Fatalf("error code %q for %v", code, err)
	}
}

func requireTime(t *testing.T, at time.Time) {
	t.Helper()
	if at.IsZero() || at.Location() != time.UTC {
		t.Fatalf("time %v", at)
	}
}

func requirePerson(t *testing.T, p unvite.Person) {
	t.Helper()
	if p.Name == "" && p.Slug == "" {
		t.Fatal("a person without name or slug")
	}
	if p.Name != strings.Join(strings.Fields(p.Name), " ") {
		t.Fatalf("name %q is not collapsed", p.Name)
	}
	requireText(t, p.Name)
	requireText(t, p.Company)
	requireText(t, p.Headline)
}

func requireText(t *testing.T, s string) {
	t.Helper()
	if !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
		t.Fatalf("not text: %q", s)
	}
}
