package main

// The ways of carrying a span context through the Go SDK's hand-offs. Every row shares the SDK's
// skeleton, mirrored in sdk.go — a span object per span (upstream's recordingSpan), its
// activation in a context.Context, a snapshot at end queued to the exporter — and differs only in
// how the SpanContext travels:
//
//   - value (upstream today): by value, twice in the span (`parent`, `spanContext`), twice again
//     in the snapshot, and in the current slot; a copy is shallow (the trace state's member list
//     is shared), so it allocates nothing of its own.
//   - pointer (the article's proposal): a new *SpanContext per span; the span and the snapshot
//     hold pointers (upstream's structs with both contexts behind pointers), as does the current
//     slot (a mutex-guarded pointer).
//   - pointer-embedded: the span embeds its contexts by value, as upstream's does, and readers —
//     the child, the snapshot, the current slot — get interior pointers into it: no per-span
//     SpanContext object.
//   - pool: as pointer, the *SpanContext taken from a sync.Pool and put back once the exporter is
//     done with it (and a remote parent once its child is); the current slot holds a copy, since a
//     pooled context is reused after export.
//   - atomic: as pointer, the current slot an atomic.Pointer[SpanContext].
//   - user-pointer (what a user can write): the SDK as value has it, unmodified; the user's code
//     around it takes each span's context once and holds a *SpanContext to it across its stages.
//
// A Go value copy is shallow, so the value row is not Rust's value-copy at the same trace-state
// size: compare Go rows with Go rows.

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// strategies by the name -strategy takes.
var strategies = map[string]func(p *pipelineSet) producerFactory{
	"value":            newValue,
	"pointer":          newPointer,
	"pointer-embedded": newPointerEmbedded,
	"pool":             newPool,
	"atomic":           newAtomic,
	"user-pointer":     newUserPointer,
	"known":            newKnown,
}

// pipelineSet is what a strategy needs to build its producers.
type pipelineSet struct {
	ratio float64
	pipe  *pipeline
}

// producerFactory makes producer i (one per goroutine) and names the current slot.
type producerFactory struct {
	slot     currentSlot
	producer func() producer
	settings map[string]string
}

func endedAt(t time.Time) int64 { return int64(t.Sub(epoch)) }

// ----- value ---------------------------------------------------------------------------------

type valueSlot struct {
	mu  sync.Mutex
	sc  SpanContext
	set bool
}

func (s *valueSlot) publish(sc *SpanContext) {
	s.mu.Lock()
	s.sc, s.set = *sc, true
	s.mu.Unlock()
}

func (s *valueSlot) readCurrent() bool {
	s.mu.Lock()
	ok := s.set && s.sc.traceID != TraceID{}
	s.mu.Unlock()
	return ok
}

func (d *snapshot) exportTo(e *exporter) { e.export(&d.spanContext, d.parent.spanID, d.name) }
func (d *snapshot) endedAt() int64       { return endedAt(d.endTime) }
func (d *snapshot) release()             {}

type valueProducer struct {
	set  *pipelineSet
	slot *valueSlot
	h    *carrier
}

func newValue(set *pipelineSet) producerFactory {
	slot := &valueSlot{}
	return producerFactory{slot: slot, producer: func() producer { return &valueProducer{set, slot, newCarrier()} },
		settings: map[string]string{"span context": "by value (upstream): twice in the span, twice in the snapshot, in a mutex-guarded current slot"}}
}

// parentOf is SpanContextFromContext: the current span's context, copied out.
func (v *valueProducer) parentOf(ctx context.Context) SpanContext {
	switch s := ctx.Value(spanKey{}).(type) {
	case *recordingSpan:
		return s.spanContext
	case nonRecordingSpan:
		return s.sc
	}
	return SpanContext{}
}

func (v *valueProducer) startRoot(id TraceID, span SpanID, name string, ts TraceState) any {
	s := &recordingSpan{spanContext: SpanContext{traceID: id, spanID: span, traceFlags: sampleRoot(v.set.ratio, id), traceState: ts},
		name: name, startTime: time.Now()}
	v.slot.publish(&s.spanContext)
	return activate(context.Background(), s)
}

func (v *valueProducer) startChild(parentHandle any, span SpanID, name string, crossesBoundary bool) any {
	parent := parentHandle.(context.Context)
	if crossesBoundary {
		psc := v.parentOf(parent)
		inject(&psc, v.h)
		// Larger than a pointer: boxing it into the context's interface allocates it.
		parent = activate(parent, nonRecordingSpan{sc: extract(v.h)})
	}
	psc := v.parentOf(parent)
	s := &recordingSpan{
		parent:      psc,
		spanContext: SpanContext{traceID: psc.traceID, spanID: span, traceFlags: psc.traceFlags & flagsSampled, traceState: psc.traceState},
		name:        name,
		startTime:   time.Now(),
	}
	v.slot.publish(&s.spanContext)
	return activate(parent, s)
}

func (v *valueProducer) end(handle any) {
	s := handle.(context.Context).Value(spanKey{}).(*recordingSpan)
	if !s.spanContext.sampled() {
		return
	}
	s.endTime = time.Now()
	v.set.pipe.queue <- &snapshot{name: s.name, spanContext: s.spanContext, parent: s.parent, startTime: s.startTime, endTime: s.endTime}
}

// ----- pointer, pool, atomic: a *SpanContext per span -----------------------------------------

// nonRecordingSpanPtr is a remote parent as the pointer rows carry it: the embedded interface
// and a pointer, boxed into the context's interface.
type nonRecordingSpanPtr struct {
	embeddedSpan
	sc *SpanContext
}

// contextPool is the pool row's: the exporter puts a span's context back through it once the
// span is exported, and a remote parent's once its child is. Nil for every other row.
var contextPool *sync.Pool

func (d *snapshotPtr) exportTo(e *exporter) {
	var parent SpanID
	if d.parent != nil {
		parent = d.parent.spanID
	}
	e.export(d.spanContext, parent, d.name)
}
func (d *snapshotPtr) endedAt() int64 { return endedAt(d.endTime) }
func (d *snapshotPtr) release() {
	releaseContexts(d.spanContext, d.parent)
	d.spanContext, d.parent = nil, nil
}

// releaseContexts puts a span's context back into the pool row's pool, and its parent's when
// that is a remote one (made for this span alone); it does nothing for the other rows.
func releaseContexts(sc, parent *SpanContext) {
	if contextPool == nil {
		return
	}
	contextPool.Put(sc)
	if parent != nil && parent.remote {
		contextPool.Put(parent)
	}
}

type mutexPtrSlot struct {
	mu sync.Mutex
	sc *SpanContext
}

func (s *mutexPtrSlot) publish(sc *SpanContext) {
	s.mu.Lock()
	s.sc = sc
	s.mu.Unlock()
}

func (s *mutexPtrSlot) readCurrent() bool {
	s.mu.Lock()
	ok := s.sc != nil && s.sc.traceID != TraceID{}
	s.mu.Unlock()
	return ok
}

type atomicSlot struct{ p atomic.Pointer[SpanContext] }

func (s *atomicSlot) publish(sc *SpanContext) { s.p.Store(sc) }
func (s *atomicSlot) readCurrent() bool {
	sc := s.p.Load()
	return sc != nil && sc.traceID != TraceID{}
}

// ptrProducer serves pointer, pool and atomic: `get` makes a context (new, or from the pool),
// `publish` sets the current slot.
type ptrProducer struct {
	set     *pipelineSet
	h       *carrier
	get     func() *SpanContext
	publish func(*SpanContext)
}

var noContext SpanContext

func (v *ptrProducer) parentOf(ctx context.Context) *SpanContext {
	switch s := ctx.Value(spanKey{}).(type) {
	case *recordingSpanPtr:
		return s.spanContext
	case nonRecordingSpanPtr:
		return s.sc
	}
	return &noContext
}

func (v *ptrProducer) startRoot(id TraceID, span SpanID, name string, ts TraceState) any {
	sc := v.get()
	*sc = SpanContext{traceID: id, spanID: span, traceFlags: sampleRoot(v.set.ratio, id), traceState: ts}
	v.publish(sc)
	return activate(context.Background(), &recordingSpanPtr{spanContext: sc, name: name, startTime: time.Now()})
}

func (v *ptrProducer) startChild(parentHandle any, span SpanID, name string, crossesBoundary bool) any {
	parent := parentHandle.(context.Context)
	if crossesBoundary {
		inject(v.parentOf(parent), v.h)
		remote := v.get()
		*remote = extract(v.h)
		parent = activate(parent, nonRecordingSpanPtr{sc: remote})
	}
	psc := v.parentOf(parent)
	sc := v.get()
	*sc = SpanContext{traceID: psc.traceID, spanID: span, traceFlags: psc.traceFlags & flagsSampled, traceState: psc.traceState}
	v.publish(sc)
	return activate(parent, &recordingSpanPtr{parent: psc, spanContext: sc, name: name, startTime: time.Now()})
}

func (v *ptrProducer) end(handle any) {
	s := handle.(context.Context).Value(spanKey{}).(*recordingSpanPtr)
	if !s.spanContext.sampled() {
		releaseContexts(s.spanContext, s.parent)
		return
	}
	s.endTime = time.Now()
	v.set.pipe.queue <- &snapshotPtr{name: s.name, spanContext: s.spanContext, parent: s.parent, startTime: s.startTime, endTime: s.endTime}
}

func newContext() *SpanContext { return new(SpanContext) }

func newPointer(set *pipelineSet) producerFactory {
	slot := &mutexPtrSlot{}
	return producerFactory{slot: slot, producer: func() producer {
		return &ptrProducer{set: set, h: newCarrier(), get: newContext, publish: slot.publish}
	}, settings: map[string]string{"span context": "a new *SpanContext per span, shared by the span, the snapshot and a mutex-guarded current slot"}}
}

func newAtomic(set *pipelineSet) producerFactory {
	slot := &atomicSlot{}
	return producerFactory{slot: slot, producer: func() producer {
		return &ptrProducer{set: set, h: newCarrier(), get: newContext, publish: slot.publish}
	}, settings: map[string]string{"span context": "a new *SpanContext per span; current slot an atomic.Pointer[SpanContext]"}}
}

func newPool(set *pipelineSet) producerFactory {
	slot := &valueSlot{}
	contextPool = &sync.Pool{New: func() any { return new(SpanContext) }}
	get := func() *SpanContext { return contextPool.Get().(*SpanContext) }
	return producerFactory{slot: slot, producer: func() producer {
		return &ptrProducer{set: set, h: newCarrier(), get: get, publish: slot.publish}
	}, settings: map[string]string{"span context": "*SpanContext from a sync.Pool, put back after export; current slot holds a copy (mutex)"}}
}

// ----- pointer-embedded: interior pointers into upstream's span -------------------------------

// embeddedProducer keeps upstream's span, both contexts by value inside it, and hands out
// pointers into it: the snapshot, the child and the current slot point at the span's own fields,
// so no SpanContext is allocated on its own (the snapshot keeps the span alive until export).
type embeddedProducer struct {
	set  *pipelineSet
	h    *carrier
	slot *mutexPtrSlot
}

func newPointerEmbedded(set *pipelineSet) producerFactory {
	slot := &mutexPtrSlot{}
	return producerFactory{slot: slot, producer: func() producer { return &embeddedProducer{set, newCarrier(), slot} },
		settings: map[string]string{"span context": "embedded in upstream's span by value; readers get interior pointers (no per-span SpanContext object)"}}
}

func (v *embeddedProducer) parentOf(ctx context.Context) *SpanContext {
	switch s := ctx.Value(spanKey{}).(type) {
	case *recordingSpan:
		return &s.spanContext
	case *nonRecordingSpan:
		return &s.sc
	}
	return &noContext
}

func (v *embeddedProducer) startRoot(id TraceID, span SpanID, name string, ts TraceState) any {
	s := &recordingSpan{spanContext: SpanContext{traceID: id, spanID: span, traceFlags: sampleRoot(v.set.ratio, id), traceState: ts},
		name: name, startTime: time.Now()}
	v.slot.publish(&s.spanContext)
	return activate(context.Background(), s)
}

func (v *embeddedProducer) startChild(parentHandle any, span SpanID, name string, crossesBoundary bool) any {
	parent := parentHandle.(context.Context)
	if crossesBoundary {
		inject(v.parentOf(parent), v.h)
		// A pointer to the remote parent, so that readers can point into it: the same one
		// allocation as boxing it by value.
		parent = activate(parent, &nonRecordingSpan{sc: extract(v.h)})
	}
	psc := v.parentOf(parent)
	s := &recordingSpan{
		parent:      *psc,
		spanContext: SpanContext{traceID: psc.traceID, spanID: span, traceFlags: psc.traceFlags & flagsSampled, traceState: psc.traceState},
		name:        name,
		startTime:   time.Now(),
	}
	v.slot.publish(&s.spanContext)
	return activate(parent, s)
}

func (v *embeddedProducer) end(handle any) {
	s := handle.(context.Context).Value(spanKey{}).(*recordingSpan)
	if !s.spanContext.sampled() {
		return
	}
	s.endTime = time.Now()
	v.set.pipe.queue <- &snapshotPtr{name: s.name, spanContext: &s.spanContext, parent: &s.parent, startTime: s.startTime, endTime: s.endTime}
}

// ----- known: the meter's known answer --------------------------------------------------------

// knownRecord is exactly 72 bytes (TestKnownRecordSize), which Go rounds up to its 80-byte size
// class: a 64-byte object could not show that rounding.
type knownRecord struct {
	traceID TraceID
	spanID  SpanID
	parent  SpanID
	flags   TraceFlags
	level   uint8
	ts      TraceState
	ended   int64
}

func (r *knownRecord) context() SpanContext {
	return SpanContext{traceID: r.traceID, spanID: r.spanID, traceFlags: r.flags, traceState: r.ts}
}
func (r *knownRecord) exportTo(e *exporter) {
	sc := r.context()
	e.export(&sc, r.parent, spanName(int(r.level)))
}
func (r *knownRecord) endedAt() int64 { return r.ended }
func (r *knownRecord) release()       {}

type knownSlot struct{}

func (knownSlot) readCurrent() bool { return false }

// knownProducer skips the SDK skeleton: one knownRecord per span, queued at end. At trace-state 0
// (no trace state to build or parse) it allocates exactly one 72-byte object per span.
type knownProducer struct {
	set *pipelineSet
	h   *carrier
}

func newKnown(set *pipelineSet) producerFactory {
	return producerFactory{slot: knownSlot{}, producer: func() producer { return &knownProducer{set, newCarrier()} },
		settings: map[string]string{"span context": "known answer: one 72-byte record per span, nothing else"}}
}

func (k *knownProducer) startRoot(id TraceID, span SpanID, name string, ts TraceState) any {
	return &knownRecord{traceID: id, spanID: span, flags: sampleRoot(k.set.ratio, id), ts: ts}
}

func (k *knownProducer) startChild(parentHandle any, span SpanID, name string, crossesBoundary bool) any {
	p := parentHandle.(*knownRecord)
	psc := p.context()
	if crossesBoundary {
		inject(&psc, k.h)
		psc = extract(k.h)
	}
	return &knownRecord{traceID: psc.traceID, spanID: span, parent: psc.spanID, flags: psc.traceFlags & flagsSampled,
		level: levelOf(name), ts: psc.traceState}
}

func levelOf(name string) uint8 {
	for i, n := range spanNames {
		if n == name {
			return uint8(i)
		}
	}
	return 0
}

func (k *knownProducer) end(handle any) {
	r := handle.(*knownRecord)
	if r.flags&flagsSampled == 0 {
		return
	}
	r.ended = nanotime()
	k.set.pipe.queue <- r
}

// ----- user-pointer: the SDK as it is, the user's code holding a *SpanContext -----------------

// userContextKey is where the user's code keeps its *SpanContext in its request context.
type userContextKey struct{}

// userPointerProducer is what a user can write: upstream's SDK unmodified (the value row's
// producer, embedded and called as is), with the user's own code around it taking each span's
// context once — by value, as the API's span.SpanContext() returns it — and holding a
// *SpanContext to it in its request context across its stages, where the end reads the trace
// id through it (a log line's correlation). Holding a pointer past the call moves the copy to
// the heap, and the request context holding it is one more object: the SDK inside still copies.
type userPointerProducer struct {
	valueProducer
	logged uint64
}

func newUserPointer(set *pipelineSet) producerFactory {
	slot := &valueSlot{}
	return producerFactory{slot: slot, producer: func() producer {
		return &userPointerProducer{valueProducer: valueProducer{set, slot, newCarrier()}}
	}, settings: map[string]string{"span context": "by value inside the SDK (upstream, unmodified); the user's code holds a *SpanContext to a copy in its request context (context.WithValue) across its stages"}}
}

// hold is the user's code after a span starts: span.SpanContext(), kept behind a pointer.
func (u *userPointerProducer) hold(handle any) any {
	ctx := handle.(context.Context)
	sc := new(SpanContext)
	*sc = u.parentOf(ctx)
	return context.WithValue(ctx, userContextKey{}, sc)
}

func (u *userPointerProducer) startRoot(id TraceID, span SpanID, name string, ts TraceState) any {
	return u.hold(u.valueProducer.startRoot(id, span, name, ts))
}

func (u *userPointerProducer) startChild(parentHandle any, span SpanID, name string, crossesBoundary bool) any {
	return u.hold(u.valueProducer.startChild(parentHandle, span, name, crossesBoundary))
}

func (u *userPointerProducer) end(handle any) {
	if sc, ok := handle.(context.Context).Value(userContextKey{}).(*SpanContext); ok {
		u.logged += uint64(sc.traceID[0])
	}
	u.valueProducer.end(handle)
}
