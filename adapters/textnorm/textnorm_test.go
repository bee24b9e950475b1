package textnorm_test

import (
	"testing"

	"github.com/hexashop/hexashop/adapters/textnorm"
)

func TestLookAlikesNormaliseToOneAddress(t *testing.T) {
	for in, want := range map[string]string{
		"kate@example.com":   "kate@example.com",
		" Kate@Example.COM ": "kate@example.com",
		"ｋate@example.com":   "kate@example.com", // fullwidth k
		"ＫＡＴＥ＠ＥＸＡＭＰＬＥ．ＣＯＭ": "kate@example.com", // all fullwidth, @ and . too
		"ﬁnn@example.com":               "finn@example.com", // ligature
		"STRASSE@example.com":           "strasse@example.com",
		"straße@example.com":            "strasse@example.com", // full case folding
		"Ǆemal@example.com":             "džemal@example.com",
		"e\u0301lise@example.com":       "élise@example.com", // combining accent composed
		"\u00e9lise@example.com":        "élise@example.com",
		"ann\u2126@example.com":         "annω@example.com", // Ohm sign is omega
		"already.lower+tag@sub.example": "already.lower+tag@sub.example",
	} {
		if got := (textnorm.Emails{}).NormalizeEmail(in); got != want {
			t.Errorf("NormalizeEmail(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestInvalidUTF8IsLeftForValidation(t *testing.T) {
	in := "a\xffb@example.com"
	if got := (textnorm.Emails{}).NormalizeEmail(in); got != in {
		t.Errorf("NormalizeEmail(invalid) = %q, want it unchanged", got)
	}
}
