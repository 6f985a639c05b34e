package main

// The four ways of carrying a span context through the Go SDK's hand-offs. Every row shares the
// SDK's skeleton — a heap span object per span, its activation in a context.Context, a *SpanData
// at end queued to the exporter — and differs only in how the SpanContext itself travels:
//
//   - value   (upstream today): by value, inside the span, the SpanData and the current slot;
//     a copy is shallow (the trace state's member list is shared), so it allocates nothing.
//   - pointer (the article's proposal): a *SpanContext per span, shared by the span, the
//     SpanData and the current slot (a mutex-guarded pointer).
//   - pool: *SpanContext taken from a sync.Pool and returned once the exporter is done with it;
//     the current slot holds a copy, since a pooled context is reused after export.
//   - atomic: as pointer, the current slot an atomic.Pointer[SpanContext].
//
// A Go value copy is shallow, so the value row is not Rust's value-copy at the same trace-state
// size: compare Go rows with Go rows.

import (
	"context"
	"sync"
	"sync/atomic"
)

// strategies by the name -strategy takes.
var strategies = map[string]func(p *pipelineSet) producerFactory{
	"value":   newValue,
	"pointer": newPointer,
	"pool":    newPool,
	"atomic":  newAtomic,
	"known":   newKnown,
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

type valueSpan struct {
	sc     SpanContext
	parent SpanID
	name   string
}

// valueRemote is upstream's nonRecordingSpan{sc}: a struct larger than a pointer, so putting it
// in the context's interface boxes it.
type valueRemote struct{ sc SpanContext }

type valueData struct {
	sc     SpanContext
	parent SpanID
	name   string
	ended  int64
}

func (d *valueData) exportTo(e *exporter) { e.export(&d.sc, d.parent, d.name) }
func (d *valueData) endedAt() int64       { return d.ended }
func (d *valueData) release()             {}

type valueProducer struct {
	set  *pipelineSet
	slot *valueSlot
	h    *carrier
}

func newValue(set *pipelineSet) producerFactory {
	slot := &valueSlot{}
	return producerFactory{slot: slot, producer: func() producer { return &valueProducer{set, slot, newCarrier()} },
		settings: map[string]string{"span context": "by value (upstream): in the span, the SpanData and a mutex-guarded current slot"}}
}

// parentOf is SpanContextFromContext: the current span's context, copied out.
func (v *valueProducer) parentOf(ctx context.Context) SpanContext {
	switch s := ctx.Value(spanKey{}).(type) {
	case *valueSpan:
		return s.sc
	case valueRemote:
		return s.sc
	}
	return SpanContext{}
}

func (v *valueProducer) startRoot(id TraceID, span SpanID, name string, ts TraceState) any {
	s := &valueSpan{sc: SpanContext{traceID: id, spanID: span, traceFlags: sampleRoot(v.set.ratio, id), traceState: ts}, name: name}
	v.slot.publish(&s.sc)
	return activate(context.Background(), s)
}

func (v *valueProducer) startChild(parentHandle any, span SpanID, name string, crossesBoundary bool) any {
	parent := parentHandle.(context.Context)
	if crossesBoundary {
		psc := v.parentOf(parent)
		inject(&psc, v.h)
		parent = activate(parent, valueRemote{extract(v.h)})
	}
	psc := v.parentOf(parent)
	s := &valueSpan{
		sc:     SpanContext{traceID: psc.traceID, spanID: span, traceFlags: psc.traceFlags & flagsSampled, traceState: psc.traceState},
		parent: psc.spanID,
		name:   name,
	}
	v.slot.publish(&s.sc)
	return activate(parent, s)
}

func (v *valueProducer) end(handle any) {
	s := handle.(context.Context).Value(spanKey{}).(*valueSpan)
	if !s.sc.sampled() {
		return
	}
	v.set.pipe.queue <- &valueData{sc: s.sc, parent: s.parent, name: s.name, ended: nanotime()}
}

// ----- pointer, pool, atomic: a *SpanContext per span -----------------------------------------

type ptrSpan struct {
	sc     *SpanContext
	parent SpanID
	name   string
}

// ptrRemote is nonRecordingSpan holding a pointer: pointer-shaped, so the interface stores it
// without boxing.
type ptrRemote struct{ sc *SpanContext }

type ptrData struct {
	sc     *SpanContext
	parent SpanID
	name   string
	ended  int64
	pool   *sync.Pool
}

func (d *ptrData) exportTo(e *exporter) { e.export(d.sc, d.parent, d.name) }
func (d *ptrData) endedAt() int64       { return d.ended }
func (d *ptrData) release() {
	if d.pool != nil {
		d.pool.Put(d.sc)
	}
	d.sc = nil
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
// `publish` sets the current slot, `pool` takes contexts back after export.
type ptrProducer struct {
	set     *pipelineSet
	h       *carrier
	get     func() *SpanContext
	publish func(*SpanContext)
	pool    *sync.Pool
}

func (v *ptrProducer) parentOf(ctx context.Context) *SpanContext {
	switch s := ctx.Value(spanKey{}).(type) {
	case *ptrSpan:
		return s.sc
	case ptrRemote:
		return s.sc
	}
	return &SpanContext{}
}

func (v *ptrProducer) startRoot(id TraceID, span SpanID, name string, ts TraceState) any {
	sc := v.get()
	*sc = SpanContext{traceID: id, spanID: span, traceFlags: sampleRoot(v.set.ratio, id), traceState: ts}
	v.publish(sc)
	return activate(context.Background(), &ptrSpan{sc: sc, name: name})
}

func (v *ptrProducer) startChild(parentHandle any, span SpanID, name string, crossesBoundary bool) any {
	parent := parentHandle.(context.Context)
	var remote *SpanContext
	if crossesBoundary {
		inject(v.parentOf(parent), v.h)
		remote = v.get()
		*remote = extract(v.h)
		parent = activate(parent, ptrRemote{remote})
	}
	psc := v.parentOf(parent)
	sc := v.get()
	*sc = SpanContext{traceID: psc.traceID, spanID: span, traceFlags: psc.traceFlags & flagsSampled, traceState: psc.traceState}
	s := &ptrSpan{sc: sc, parent: psc.spanID, name: name}
	if remote != nil && v.pool != nil {
		// The child has copied what it needs; nothing reads the remote context again.
		v.pool.Put(remote)
	}
	v.publish(sc)
	return activate(parent, s)
}

func (v *ptrProducer) end(handle any) {
	s := handle.(context.Context).Value(spanKey{}).(*ptrSpan)
	if !s.sc.sampled() {
		if v.pool != nil {
			v.pool.Put(s.sc)
		}
		return
	}
	v.set.pipe.queue <- &ptrData{sc: s.sc, parent: s.parent, name: s.name, ended: nanotime(), pool: v.pool}
}

func newContext() *SpanContext { return new(SpanContext) }

func newPointer(set *pipelineSet) producerFactory {
	slot := &mutexPtrSlot{}
	return producerFactory{slot: slot, producer: func() producer {
		return &ptrProducer{set: set, h: newCarrier(), get: newContext, publish: slot.publish}
	}, settings: map[string]string{"span context": "*SpanContext per span, shared by the span, the SpanData and a mutex-guarded current slot"}}
}

func newAtomic(set *pipelineSet) producerFactory {
	slot := &atomicSlot{}
	return producerFactory{slot: slot, producer: func() producer {
		return &ptrProducer{set: set, h: newCarrier(), get: newContext, publish: slot.publish}
	}, settings: map[string]string{"span context": "*SpanContext per span; current slot an atomic.Pointer[SpanContext]"}}
}

func newPool(set *pipelineSet) producerFactory {
	slot := &valueSlot{}
	pool := &sync.Pool{New: func() any { return new(SpanContext) }}
	get := func() *SpanContext { return pool.Get().(*SpanContext) }
	return producerFactory{slot: slot, producer: func() producer {
		return &ptrProducer{set: set, h: newCarrier(), get: get, publish: slot.publish, pool: pool}
	}, settings: map[string]string{"span context": "*SpanContext from a sync.Pool, put back after export; current slot holds a copy (mutex)"}}
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
