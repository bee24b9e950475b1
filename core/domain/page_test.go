package domain_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hexashop/hexashop/core/domain"
)

// Kinds of the tests' own lists (upper-case letters: the features' kinds are lower-case).
var (
	byID        = domain.NewCursorKind('I', domain.IDAscending)
	newestFirst = domain.NewCursorKind('T', domain.TimeIDDescending)
)

func TestCursorRoundTripAndOrder(t *testing.T) {
	at := time.Date(2026, 5, 6, 7, 8, 9, 123456000, time.UTC)
	for _, c := range []struct {
		kind domain.CursorKind
		c    domain.Cursor
	}{
		{domain.CursorUsers, domain.AfterID(domain.CursorUsers, 1)},
		{byID, domain.AfterID(byID, 1<<62)},
		{newestFirst, domain.AfterTimeID(newestFirst, at, 42)},
		{newestFirst, domain.AfterTimeID(newestFirst, time.Unix(0, 0), 7)},
	} {
		s := c.c.String()
		if strings.ContainsAny(s, "+/=") {
			t.Errorf("cursor %q is not URL-safe", s)
		}
		if got, err := domain.ParseCursor(s, c.kind); err != nil || got != c.c {
			t.Errorf("ParseCursor(%q) = %v, %v; want %v", s, got, err, c.c)
		}
	}
	if got := domain.AfterTimeID(newestFirst, at, 42).Time(); !got.Equal(at) {
		t.Errorf("time round trip = %v, want %v", got, at)
	}
	older, newer := domain.AfterTimeID(newestFirst, at, 9), domain.AfterTimeID(newestFirst, at.Add(time.Microsecond), 1)
	sameTimeLowerID := domain.AfterTimeID(newestFirst, at, 8)
	if !older.Follows(newer) || newer.Follows(older) || !sameTimeLowerID.Follows(older) || older.Follows(older) {
		t.Error("time lists: newest first, then higher id first")
	}
	if !domain.AfterID(domain.CursorUsers, 5).Follows(domain.AfterID(domain.CursorUsers, 4)) ||
		domain.AfterID(domain.CursorUsers, 4).Follows(domain.AfterID(domain.CursorUsers, 4)) {
		t.Error("id lists: ascending")
	}
	if _, err := domain.ParseCursor(domain.AfterID(domain.CursorUsers, 0).String(), domain.CursorUsers); err == nil {
		t.Error("a cursor naming id 0 accepted")
	}
}
