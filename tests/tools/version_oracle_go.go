// Test oracle for tests/integration/test_version_oracles.sh (not project code): reads
// "A B" pairs on stdin, prints "<", "=", ">" or "ERR" using golang.org/x/mod/semver
// (Debian's golang-golang-x-mod-dev, built in GOPATH mode). A missing leading "v" is
// added first, as OSV's Go records omit it.
package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"golang.org/x/mod/semver"
)

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for in.Scan() {
		a, b, _ := strings.Cut(in.Text(), " ")
		if !strings.HasPrefix(a, "v") {
			a = "v" + a
		}
		if !strings.HasPrefix(b, "v") {
			b = "v" + b
		}
		if !semver.IsValid(a) || !semver.IsValid(b) {
			fmt.Fprintln(out, "ERR")
			continue
		}
		c := semver.Compare(a, b)
		fmt.Fprintln(out, map[int]string{-1: "<", 0: "=", 1: ">"}[c])
	}
}
