package main

// The parts of OpenTelemetry Go that decide where a span context is copied, boxed or allocated,
// mirrored field for field with the standard library only — upstream's module needs a newer Go
// than the Debian Go 1.19 here, so it cannot be compiled beside the twin. Every mirrored struct
// is read at opentelemetry-go 736a14fcdca28b8cf5237e6b9b166ec6ed832bf7 (2026-08-21), cited by
// file:line, and its size is a constant derived field by field below (the arithmetic, alignment
// included, beside it), which TestLayouts checks against unsafe.Sizeof:
//
//   - TraceState, trace/tracestate.go:173–176: `list []member`, member (:25–28) two strings. A
//     value copy shares the list: a Go SpanContext copy is shallow.
//   - SpanContext, trace/trace.go:255–261: traceID, spanID, traceFlags, traceState, remote.
//   - ContextWithSpan, trace/context.go:13–15: context.WithValue(parent, currentSpanKey, span);
//     a remote parent (ContextWithRemoteSpanContext, :29–31, via :21–23) is a nonRecordingSpan
//     value (trace/nonrecording.go:9–13: noopSpan, trace/noop.go:50, an embedded interface; and
//     the SpanContext), boxed into the Span interface.
//   - recordingSpan, sdk/trace/span.go:101–164: about twenty fields, among them `parent` and
//     `spanContext`, both trace.SpanContext by value; allocated per span in newRecordingSpan
//     (sdk/trace/tracer.go:149–162, `parent: psc, spanContext: sc`) and activated by
//     ContextWithSpan (tracer.go:52).
//   - snapshot, sdk/trace/snapshot.go:17–34: the ReadOnlySpan handed to the processors, embedding
//     `spanContext` and `parent` again; End (sdk/trace/span.go:392–462) takes one per span
//     (`snap := s.snapshot()`, :459), allocated by snapshot() (:779–809, `return &sd`).
//   - the batch processor, sdk/trace/batch_span_processor.go: OnEnd (:147–158) enqueues the
//     snapshot on `queue chan ReadOnlySpan` (:71, made with MaxQueueSize 2048, :113), blocking
//     when full (enqueueBlockOnQueueFull, :402–416 — the twin blocks, so that every row exports
//     the same spans); processQueue (:322–360) appends to a reused `batch []ReadOnlySpan` and
//     exports at MaxExportBatchSize 512; exportSpans (:286–320) clears and reuses the batch.
//
// The field types upstream defines elsewhere are mirrored by size: attribute.Set
// (attribute/set.go:30–33: hash uint64, data any), instrumentation.Scope
// (sdk/instrumentation/scope.go:9–19: three strings and a Set), Status (sdk/trace/span.go:899–905:
// codes.Code, a uint32, and a string), evictedQueue (sdk/trace/evictedqueue.go:14–20), the
// embedded Span interface (trace/embedded/embedded.go:45). What only the twin needs (the digest's
// parent span id, the pool to return a context to) is read from these fields, never added to them.
//
// Where upstream allocates in code that all rows share — W3C inject (fmt.Sprintf of the
// traceparent, TraceState.String), ParseTraceState (strings.Split, a map for duplicates, a regexp
// per member), span attributes (SetAttributes appends to a slice) — the twin does the same work
// with fewer allocations (injection into reused buffers, extraction as one header string plus the
// member list, the fixed attributes encoded by the exporter), as the Rust model does. Those costs
// are common to every Go row, so they move no comparison between them.
//
// An option `WithSpanContextPtr()` (the article's "SDK v1.22+") does not exist at 736a14f: no
// file of the repository names it (`git grep SpanContextPtr` is empty).

import (
	"context"
	"strconv"
	"sync"
	"time"
)

type TraceID [16]byte
type SpanID [8]byte
type TraceFlags byte

const flagsSampled TraceFlags = 0x01

type member struct {
	Key   string
	Value string
}

// TraceState is upstream's: an immutable list of members. A value copy of it shares the list.
type TraceState struct {
	list []member
}

// SpanContext has upstream's layout: 16 (traceID) + 8 (spanID) + 1 (traceFlags) + 7 padding to
// the slice's 8-byte alignment + 24 (traceState: a slice header) + 1 (remote) + 7 padding = 64.
type SpanContext struct {
	traceID    TraceID
	spanID     SpanID
	traceFlags TraceFlags
	traceState TraceState
	remote     bool
}

// The mirrored sizes, on a 64-bit target (see TestLayouts).
const (
	sizeSpanContext      = 16 + 8 + 1 + 7 + 24 + 1 + 7 // 64
	sizeNonRecordingSpan = 16 + sizeSpanContext        // 80: an interface, then the SpanContext
	sizeEvictedQueue     = 24 + 8 + 8 + 16 + 12 + 4    // 72: slice, two ints, string, sync.Once (a uint32 and a Mutex, 4-aligned), padding
	sizeScope            = 3*16 + 24                   // 72: three strings and an attribute.Set (uint64 + interface)
	sizeStatus           = 4 + 4 + 16                  // 24: a uint32 code, padding, a string
	// recordingSpan: embedded.Span 16 | mu 8 | parent 64 | spanKind 8 | name 16 | startTime 24 |
	// endTime 24 | status 24 | childSpanCount 8 | spanContext 64 | attributes 24 |
	// droppedAttributes 8 | logDropAttrsOnce 12 | attributesDirty 1 | attributesShared 1 |
	// padding 2 | events 72 | links 72 | executionTracerTaskEnd 8 | tracer 8 | origCtx 16.
	sizeRecordingSpan = 16 + 8 + sizeSpanContext + 8 + 16 + 24 + 24 + sizeStatus + 8 + sizeSpanContext + 24 + 8 + 12 + 1 + 1 + 2 +
		2*sizeEvictedQueue + 8 + 8 + 16 // 480
	// The article's proposal: both contexts behind pointers, 8 bytes each instead of 64.
	sizeRecordingSpanPtr = sizeRecordingSpan - 2*sizeSpanContext + 2*8 // 368
	// snapshot: name 16 | spanContext 64 | parent 64 | spanKind 8 | startTime 24 | endTime 24 |
	// attributes 24 | events 24 | links 24 | status 24 | four counts 32 | resource 8 | scope 72.
	sizeSnapshot    = 16 + 2*sizeSpanContext + 8 + 2*24 + 3*24 + sizeStatus + 4*8 + 8 + sizeScope // 408
	sizeSnapshotPtr = sizeSnapshot - 2*sizeSpanContext + 2*8                                      // 296
)

// embeddedSpan stands for trace/embedded.Span, an interface embedded in every span type.
type embeddedSpan interface{ span() }

// nonRecordingSpan is a remote parent in a context: an embedded interface and the context.
type nonRecordingSpan struct {
	embeddedSpan
	sc SpanContext
}

// keyValue, event and link stand for attribute.KeyValue, Event and Link: only slices of them
// are held, whose headers are 24 bytes whatever the element.
type keyValue struct{}
type event struct{}
type link struct{}

// attributeSet is attribute.Set: a hash and an interface.
type attributeSet struct {
	hash uint64
	data any
}

// instrumentationScope is instrumentation.Scope.
type instrumentationScope struct {
	Name, Version, SchemaURL string
	Attributes               attributeSet
}

// status is Status: a codes.Code (uint32) and a description.
type status struct {
	Code        uint32
	Description string
}

// evictedQueue is upstream's FIFO of events or links, capped.
type evictedQueue[T any] struct {
	queue          []T
	capacity       int
	droppedCount   int
	logDroppedMsg  string
	logDroppedOnce sync.Once
}

type sdkTracer struct{}
type sdkResource struct{}

// recordingSpan is upstream's span object, field for field: both contexts by value.
type recordingSpan struct {
	embeddedSpan
	mu                     sync.Mutex
	parent                 SpanContext
	spanKind               int
	name                   string
	startTime              time.Time
	endTime                time.Time
	status                 status
	childSpanCount         int
	spanContext            SpanContext
	attributes             []keyValue
	droppedAttributes      int
	logDropAttrsOnce       sync.Once
	attributesDirty        bool
	attributesShared       bool
	events                 evictedQueue[event]
	links                  evictedQueue[link]
	executionTracerTaskEnd func()
	tracer                 *sdkTracer
	origCtx                context.Context
}

// recordingSpanPtr is the same span as the article proposes it: each context behind a pointer.
type recordingSpanPtr struct {
	embeddedSpan
	mu                     sync.Mutex
	parent                 *SpanContext
	spanKind               int
	name                   string
	startTime              time.Time
	endTime                time.Time
	status                 status
	childSpanCount         int
	spanContext            *SpanContext
	attributes             []keyValue
	droppedAttributes      int
	logDropAttrsOnce       sync.Once
	attributesDirty        bool
	attributesShared       bool
	events                 evictedQueue[event]
	links                  evictedQueue[link]
	executionTracerTaskEnd func()
	tracer                 *sdkTracer
	origCtx                context.Context
}

// snapshot is upstream's ReadOnlySpan, field for field: both contexts by value again.
type snapshot struct {
	name                  string
	spanContext           SpanContext
	parent                SpanContext
	spanKind              int
	startTime             time.Time
	endTime               time.Time
	attributes            []keyValue
	events                []event
	links                 []link
	status                status
	childSpanCount        int
	droppedAttributeCount int
	droppedEventCount     int
	droppedLinkCount      int
	resource              *sdkResource
	instrumentationScope  instrumentationScope
}

// snapshotPtr is the snapshot with each context behind a pointer.
type snapshotPtr struct {
	name                  string
	spanContext           *SpanContext
	parent                *SpanContext
	spanKind              int
	startTime             time.Time
	endTime               time.Time
	attributes            []keyValue
	events                []event
	links                 []link
	status                status
	childSpanCount        int
	droppedAttributeCount int
	droppedEventCount     int
	droppedLinkCount      int
	resource              *sdkResource
	instrumentationScope  instrumentationScope
}

func (sc *SpanContext) sampled() bool { return sc.traceFlags&flagsSampled != 0 }

// spanKey is the context key of the current span (upstream: currentSpanKey).
type spanKey struct{}

// carrier holds the W3C headers between inject and extract, in buffers reused for every span.
type carrier struct {
	traceparent []byte
	tracestate  []byte
}

func newCarrier() *carrier {
	return &carrier{traceparent: make([]byte, 0, 64), tracestate: make([]byte, 0, 32*40)}
}

func appendHex(b []byte, bytes []byte) []byte {
	for _, x := range bytes {
		b = append(b, hexDigits[x>>4], hexDigits[x&0xf])
	}
	return b
}

func appendTraceState(b []byte, ts TraceState) []byte {
	for i, m := range ts.list {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, m.Key...)
		b = append(b, '=')
		b = append(b, m.Value...)
	}
	return b
}

// inject writes sc's traceparent and tracestate headers.
func inject(sc *SpanContext, h *carrier) {
	h.traceparent = append(h.traceparent[:0], "00-"...)
	h.traceparent = appendHex(h.traceparent, sc.traceID[:])
	h.traceparent = append(h.traceparent, '-')
	h.traceparent = appendHex(h.traceparent, sc.spanID[:])
	h.traceparent = append(h.traceparent, '-')
	h.traceparent = appendHex(h.traceparent, []byte{byte(sc.traceFlags)})
	h.tracestate = appendTraceState(h.tracestate[:0], sc.traceState)
}

func unhex(c byte) byte {
	if c <= '9' {
		return c - '0'
	}
	return c - 'a' + 10
}

func parseHex(dst []byte, src []byte) {
	for i := range dst {
		dst[i] = unhex(src[2*i])<<4 | unhex(src[2*i+1])
	}
}

// extract reads the headers back into a remote SpanContext. The tracestate header becomes one
// string and a member list over it (two allocations when it has members).
func extract(h *carrier) SpanContext {
	var sc SpanContext
	tp := h.traceparent
	parseHex(sc.traceID[:], tp[3:35])
	parseHex(sc.spanID[:], tp[36:52])
	var f [1]byte
	parseHex(f[:], tp[53:55])
	sc.traceFlags = TraceFlags(f[0])
	sc.remote = true
	if len(h.tracestate) > 0 {
		header := string(h.tracestate)
		n := 1
		for i := 0; i < len(header); i++ {
			if header[i] == ',' {
				n++
			}
		}
		list := make([]member, 0, n)
		start := 0
		for i := 0; i <= len(header); i++ {
			if i == len(header) || header[i] == ',' {
				kv := header[start:i]
				for j := 0; j < len(kv); j++ {
					if kv[j] == '=' {
						list = append(list, member{Key: kv[:j], Value: kv[j+1:]})
						break
					}
				}
				start = i + 1
			}
		}
		sc.traceState = TraceState{list: list}
	}
	return sc
}

// exporter encodes every span into a reused buffer and folds it into the order-independent
// digest of the Rust model (scenarios/model/src/digest.rs): FNV-1a, SplitMix64's finaliser, sum.
type exporter struct {
	buf    []byte
	digest uint64
	spans  uint64
}

func newExporter() *exporter { return &exporter{buf: make([]byte, 0, 4096)} }

func (e *exporter) export(sc *SpanContext, parent SpanID, name string) {
	b := e.buf[:0]
	b = appendHex(b, sc.traceID[:])
	b = append(b, ' ')
	b = appendHex(b, sc.spanID[:])
	b = append(b, ' ')
	b = appendHex(b, parent[:])
	b = append(b, ' ')
	b = append(b, hexDigits[byte(sc.traceFlags)>>4], hexDigits[byte(sc.traceFlags)&0xf])
	b = append(b, ' ')
	b = appendTraceState(b, sc.traceState)
	b = append(b, ' ')
	b = append(b, name...)
	for _, a := range attributes {
		b = append(b, ' ')
		b = append(b, a.k...)
		b = append(b, '=')
		b = strconv.AppendInt(b, a.v, 10)
	}
	e.buf = b
	h := uint64(0xcbf29ce484222325)
	for _, c := range b {
		h = (h ^ uint64(c)) * 0x100000001b3
	}
	e.digest += mix(h)
	e.spans++
}

func (e *exporter) reset() { e.digest, e.spans = 0, 0 }

// sampleRoot is ParentBased(TraceIDRatioBased(ratio)) for a root, as the model decides it.
func sampleRoot(ratio float64, id TraceID) TraceFlags {
	if ratio >= 1 {
		return flagsSampled
	}
	threshold := uint64(0)
	if ratio > 0 {
		threshold = uint64(ratio * float64(^uint64(0)))
	}
	low := uint64(0)
	for _, x := range id[8:] {
		low = low<<8 | uint64(x)
	}
	if low < threshold {
		return flagsSampled
	}
	return 0
}

// activate is ContextWithSpan: the span in an interface in a new context.
func activate(parent context.Context, span any) context.Context {
	return context.WithValue(parent, spanKey{}, span)
}
