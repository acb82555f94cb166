// Command vulngate reads govulncheck's JSON output (-format json) on stdin,
// prints the findings, and exits 3, as govulncheck does in text mode, when
// the code calls a vulnerable symbol, unless that advisory is listed in the
// accepted file (reviewed: the project is not exposed, and the module's major
// version has no fix). An accepted advisory that gets a fixed version fails
// again, so the move to the fix is not forgotten.
//
//	govulncheck -format json -db file://... ./... | go run ./internal/tools/vulngate -accepted .ci/govulncheck-accepted.txt
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	accepted := flag.String("accepted", "", "file of reviewed advisories: one `GO-YYYY-NNNN module reason` a line, # comments")
	flag.Parse()
	acc := map[string]Accepted{}
	if *accepted != "" {
		f, err := os.Open(*accepted)
		if err != nil {
			fmt.Fprintln(os.Stderr, "vulngate:", err)
			os.Exit(2)
		}
		acc, err = ParseAccepted(f)
		f.Close()
		if err != nil {
			fmt.Fprintln(os.Stderr, "vulngate:", err)
			os.Exit(2)
		}
	}
	rep, err := Read(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "vulngate:", err)
		os.Exit(2)
	}
	os.Exit(rep.Judge(os.Stdout, acc))
}
