package domain

import (
	"encoding/base64"
	"encoding/binary"
	"hash/crc32"
	"time"
)

// Page limits. Lists are always paginated so that no request can ask for everything.
const (
	DefaultPageLimit = 20
	MaxPageLimit     = 100
)

// Lists are paged by keyset: a page is the first Limit items after a cursor, the sort key
// of the last item of the previous page. Unlike an offset, a cursor costs one index seek
// however deep the page, and a walk never repeats or skips an item when others are
// inserted or deleted meanwhile (every item has a unique key, compared as a row).

// CursorKind says which list a cursor belongs to, so that one list's cursor is refused by
// another, and in which order that list runs. Make one with NewCursorKind.
type CursorKind byte

// KeyOrder is the order of a list: what its keys are and which way they run.
type KeyOrder int

// The orders a list can have.
const (
	IDAscending      KeyOrder = iota + 1 // by id, oldest first
	IDDescending                         // by id, newest first
	TimeIDDescending                     // by (time, id), newest first
)

var cursorOrders = map[CursorKind]KeyOrder{}

// NewCursorKind declares the list whose cursors carry letter, running in order. Every
// paged list declares its kind once, as a package variable of the feature's domain
// file: there is no other list of kinds to update, and a kind without an order cannot
// exist. It panics on a letter taken twice (at start-up, in every test).
func NewCursorKind(letter byte, order KeyOrder) CursorKind {
	k := CursorKind(letter)
	if letter == 0 || order < IDAscending || order > TimeIDDescending {
		panic("domain: a cursor kind needs a letter and an order")
	}
	if _, taken := cursorOrders[k]; taken {
		panic("domain: cursor kind " + string(letter) + " declared twice")
	}
	cursorOrders[k] = order
	return k
}

// timed reports whether the lists of kind are keyed by a time and an id.
func (k CursorKind) timed() bool { return cursorOrders[k] == TimeIDDescending }

// Cursor is a position in a list: after the item with this key. The zero Cursor is the
// start of the list (in a request) or the end of it (as a page's Next).
type Cursor struct {
	kind CursorKind
	at   int64 // microseconds since the Unix epoch, for keys with a time
	id   int64
}

// AfterID is the cursor after the item with id in a list ordered by id.
func AfterID(kind CursorKind, id int64) Cursor { return Cursor{kind: kind, id: id} }

// AfterTimeID is the cursor after the item (t, id) in a list ordered by time and id. Times
// are kept to the microsecond, the precision of Postgres timestamps; the Clock gives
// times truncated to it, so keys compare the same in memory and in Postgres.
func AfterTimeID(kind CursorKind, t time.Time, id int64) Cursor {
	return Cursor{kind: kind, at: t.UnixMicro(), id: id}
}

// Follows reports whether the item whose key is c comes after the cursor after in their
// list's order (ids ascending; orders newest first). Everything follows the zero cursor.
func (c Cursor) Follows(after Cursor) bool {
	if after.IsZero() {
		return true
	}
	switch cursorOrders[c.kind] {
	case TimeIDDescending:
		return c.at < after.at || (c.at == after.at && c.id < after.id)
	case IDDescending:
		return c.id < after.id
	default:
		return c.id > after.id
	}
}

// IsZero reports whether c is the start (or end) of a list.
func (c Cursor) IsZero() bool { return c.kind == 0 }

// ID is the id of the key.
func (c Cursor) ID() int64 { return c.id }

// Time is the time of the key, in UTC.
func (c Cursor) Time() time.Time { return time.UnixMicro(c.at).UTC() }

// Cursor wire format: base64url (no padding) of version 1, kind, then the key as two
// big-endian int64 (time in µs, id), then a CRC-32 of all before it. Opaque to clients;
// the checksum catches cut or altered cursors. It is not a signature: a client who
// forges a valid cursor only chooses where its own walk starts, which limit and filters
// allow anyway; access rules never come from a cursor, and ParseCursor range-checks
// every field, so a forged cursor is refused (invalid_cursor) or starts a walk at a
// position that could exist (docs/decisions.md says why cursors are not signed).
const (
	cursorVersion = 1
	cursorLen     = 2 + 8 + 8 + 4
)

var cursorTable = crc32.MakeTable(crc32.Castagnoli)

// String encodes c for a client; "" for the zero cursor.
func (c Cursor) String() string {
	if c.IsZero() {
		return ""
	}
	b := make([]byte, 0, cursorLen)
	b = append(b, cursorVersion, byte(c.kind))
	b = binary.BigEndian.AppendUint64(b, uint64(c.at))
	b = binary.BigEndian.AppendUint64(b, uint64(c.id))
	b = binary.BigEndian.AppendUint32(b, crc32.Checksum(b, cursorTable))
	return base64.RawURLEncoding.EncodeToString(b)
}

// ErrInvalidCursor means the cursor is not one this service made for this list.
var ErrInvalidCursor = &Error{Kind: KindInvalid, Code: "invalid_cursor",
	Detail: "cursor is not a next_cursor this list gave out; start again without one"}

// ParseCursor decodes a client's cursor for a list of the given kind ("" is the start).
func ParseCursor(s string, kind CursorKind) (Cursor, error) {
	if s == "" {
		return Cursor{}, nil
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if _, declared := cursorOrders[kind]; !declared {
		panic("domain: ParseCursor with an undeclared cursor kind")
	}
	if err != nil || len(b) != cursorLen || b[0] != cursorVersion || CursorKind(b[1]) != kind ||
		binary.BigEndian.Uint32(b[cursorLen-4:]) != crc32.Checksum(b[:cursorLen-4], cursorTable) {
		return Cursor{}, ErrInvalidCursor
	}
	c := Cursor{kind: kind, at: int64(binary.BigEndian.Uint64(b[2:10])), id: int64(binary.BigEndian.Uint64(b[10:18]))}
	if !c.inRange() {
		return Cursor{}, ErrInvalidCursor
	}
	return c, nil
}

// Bounds of a cursor's time: what any store holds (Postgres timestamps end before the
// year 294277 and start in 4714 BC). The checksum is public, so a client can build a
// well-formed cursor with any field; every field is checked here, before a store sees it.
var (
	minCursorTime = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
	maxCursorTime = time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC).UnixMicro()
)

// inRange reports whether every field of c is one this service can have made: a
// positive id and, for lists keyed by time, a time from 1970 to the year 9999 (and no
// time for the others).
func (c Cursor) inRange() bool {
	if c.id <= 0 {
		return false
	}
	if c.kind.timed() {
		return c.at >= minCursorTime && c.at <= maxCursorTime
	}
	return c.at == 0
}

// PageRequest selects a page of a list: Limit items after After.
type PageRequest struct {
	Limit int
	After Cursor
}

// NewPageRequest validates limit (1..100); after is a parsed cursor (zero: from the start).
func NewPageRequest(limit int, after Cursor) (PageRequest, error) {
	if limit < 1 || limit > MaxPageLimit {
		return PageRequest{}, Invalid("limit", "must be an integer from 1 to 100")
	}
	return PageRequest{Limit: limit, After: after}, nil
}

// Page is one page of a list. Next is the cursor of the following page, zero on the last
// page. There is no total: counting a whole table costs time that grows with it.
type Page[T any] struct {
	Items []T
	Next  Cursor
}

// PageOf makes the page from up to limit+1 items fetched after the request's cursor (one
// more than asked tells whether a next page exists); key gives an item's cursor.
func PageOf[T any](fetched []T, limit int, key func(T) Cursor) Page[T] {
	if fetched == nil {
		fetched = []T{}
	}
	if len(fetched) <= limit {
		return Page[T]{Items: fetched}
	}
	items := fetched[:limit]
	return Page[T]{Items: items, Next: key(items[limit-1])}
}
