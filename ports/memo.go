package ports

import (
	"context"
	"sync/atomic"
)

// A Memo is a place, kept with a cached answer of a driven port, where the driving side
// may keep something it derived from that answer (the HTTP adapter keeps the encoded
// body and its ETag), so that the next request answered from the same cache entry skips
// deriving it again. It lives and dies with the entry: an invalidated or expired entry
// takes its memo with it, so a memo is never older than the answer it was derived from.
//
// A caller asks for one with WithMemo before calling a use case; a caching adapter that
// answers from (or fills) an entry binds the entry's Memo to the request with BindMemo.
// Without a cache nothing is bound, and the caller derives as it would anyway. Whatever
// is stored must describe itself well enough to be checked (a use case may read more
// than one entry: the last one read is bound).
type Memo struct{ v atomic.Pointer[any] }

// Load returns what was kept, or nil.
func (m *Memo) Load() any {
	if p := m.v.Load(); p != nil {
		return *p
	}
	return nil
}

// Store keeps v (any earlier value is replaced).
func (m *Memo) Store(v any) { m.v.Store(&v) }

// MemoRequest is a request's ask for a Memo: Bound is the memo of the cache entry that
// answered last, or nil.
type MemoRequest struct{ Bound *Memo }

type memoKey struct{}

// WithMemo returns ctx carrying a new MemoRequest, and the request.
func WithMemo(ctx context.Context) (context.Context, *MemoRequest) {
	r := &MemoRequest{}
	return context.WithValue(ctx, memoKey{}, r), r
}

// BindMemo binds m to ctx's MemoRequest, if it has one.
func BindMemo(ctx context.Context, m *Memo) {
	if r, ok := ctx.Value(memoKey{}).(*MemoRequest); ok {
		r.Bound = m
	}
}
