package printable_test

import (
	"fmt"
	"os"

	"github.com/unvite/unvite/printable"
)

func ExampleString() {
	fmt.Println(printable.String("Bad\x1b]0;pwned\x07Name"))
	fmt.Println(printable.String("invoice\u202egnp.exe"))
	fmt.Println(printable.String("Zoë 山田 👍🏽"))
	// Output:
	// Bad␛]0;pwned␇Name
	// invoice�gnp.exe
	// Zoë 山田 👍🏽
}

func ExampleWriter() {
	w := printable.NewWriter(os.Stdout)
	fmt.Fprintf(w, "Note:\t%s\n", "hello\x1b[2J")
	w.Flush()
	// Output:
	// Note:	hello␛[2J
}
