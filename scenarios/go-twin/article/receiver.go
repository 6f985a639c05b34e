// Package article is the article's receiver example (../shared/seed/000_cf6e8fa772eca04d.txt,
// §2.4, the code block after "零拷贝的关键:指针接收器语义"), measured the way the article
// measured it: go test -bench -benchmem. A module of its own, outside the twin's `go vet ./...`:
// the by-value receiver, which the article describes but does not show, copies a sync.Mutex,
// and vet's copylocks check rejects exactly that.
package article

import (
	"sync"
	"sync/atomic"
)

// Span holds what the article's StartSpan fills in.
type Span struct {
	ID     uint64
	Name   string
	tracer *Tracer
}

// Tracer embeds the two fields the article names: a sync.Mutex and an atomic.Uint64.
type Tracer struct {
	mu  sync.Mutex
	seq atomic.Uint64
}

// StartSpan is the article's code, verbatim.
func (t *Tracer) StartSpan(name string) *Span {
	t.mu.Lock() // 直接操作原始实例的互斥锁
	defer t.mu.Unlock()
	t.seq.Add(1) // 原子递增共享计数器
	return &Span{ID: t.seq.Load(), Name: name, tracer: t}
}

// StartSpanByValue is the same body on a value receiver, the article's "Tracer(值)" row: every
// call copies the Tracer, and the returned Span points at that copy.
func (t Tracer) StartSpanByValue(name string) *Span {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.seq.Add(1)
	return &Span{ID: t.seq.Load(), Name: name, tracer: &t}
}
