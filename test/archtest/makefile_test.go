package archtest

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestEveryMakeTargetIsDocumented: `make help` prints the "## target: description" lines,
// so a target without one is invisible to the people the Makefile is for.
func TestEveryMakeTargetIsDocumented(t *testing.T) {
	b, err := os.ReadFile("../../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	mk := string(b)
	rules := regexp.MustCompile(`(?m)^([a-z][a-z0-9-]*):`).FindAllStringSubmatch(mk, -1)
	if len(rules) < 10 {
		t.Fatalf("found only %d rules in the Makefile", len(rules))
	}
	for _, r := range rules {
		if !strings.Contains(mk, "\n## "+r[1]+":") {
			t.Errorf("make %s has no \"## %s: ...\" line, so `make help` does not list it", r[1], r[1])
		}
	}
}
