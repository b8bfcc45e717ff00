package exportgen_test

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/unvite/unvite/exportgen"
)

func ExampleWriteInvitations() {
	var buf bytes.Buffer
	end := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	if err := exportgen.WriteInvitations(&buf, 1000, 1, end); err != nil {
		panic(err)
	}
	fmt.Println(strings.SplitN(buf.String(), "\n", 2)[0])
	s := exportgen.Summarize(1000, 1, end, 0.5)
	fmt.Println(s.Rows, s.Outgoing+s.Incoming)
	// Output:
	// From,To,Sent At,Message,Direction,inviterProfileUrl,inviteeProfileUrl
	// 1000 1000
}
