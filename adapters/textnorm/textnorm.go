// Package textnorm implements ports.EmailNormalizer with golang.org/x/text: Unicode
// compatibility normalisation (NFKC) and full case folding, so that look-alike spellings
// of one address (fullwidth "ｋate@example.com", ligatures, letter case) are one account.
package textnorm

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"

	"github.com/hexashop/hexashop/ports"
)

// Emails implements ports.EmailNormalizer.
type Emails struct{}

var _ ports.EmailNormalizer = Emails{}

// NormalizeEmail returns NFKC(casefold(NFKC(s))) of the trimmed s (Unicode's
// NFKC_Casefold, the form recommended for caseless identifier matching), or s unchanged
// when it is not valid UTF-8, for validation to refuse.
func (Emails) NormalizeEmail(s string) string {
	if !utf8.ValidString(s) {
		return s
	}
	s = strings.TrimSpace(s)
	if isPlainASCII(s) {
		return strings.ToLower(s) // the common case: no tables needed
	}
	// A cases.Caser keeps state, so each call makes its own.
	return norm.NFKC.String(cases.Fold().String(norm.NFKC.String(s)))
}

// isPlainASCII reports whether s is printable ASCII, where NFKC changes nothing and
// case folding is lower-casing.
func isPlainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
