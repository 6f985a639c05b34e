package main

// The parts of OpenTelemetry Go that decide where a span context is copied, boxed or
// allocated, reproduced with the standard library only (the module cannot be fetched here).
// Each is cited to the upstream file and commit it was read from:
//
//   - TraceState keeps its members in a slice, copied on write and shared by value copies:
//     trace/tracestate.go @ 43b7fab48f7cbd6c0f17ea4f876d28c1fa399f3d (`type TraceState struct
//     { list []member }`, `member{Key, Value string}`, Insert copies the list).
//   - SpanContext: trace id, span id, flags and the TraceState by value (trace/trace.go @
//     000d18627f76259ca06221347d1b6769b61f7431); later versions make the fields unexported and add
//     `remote bool` after the trace state, which is the layout here: 64 bytes on 64-bit targets
//     (checked by TestSpanContextLayout).
//   - Activation: `ContextWithSpan` is `context.WithValue(parent, currentSpanKey, span)`, the span
//     held in an interface; a remote parent is wrapped as `nonRecordingSpan{sc}` in the same way
//     (trace/context.go @ c004d061ea41179b596289baaf94cd2ffc0f9646).
//   - Span start: a heap span object holding its SpanContext by value, the parent's span id kept;
//     the sampler is handed the parent and a child keeps its parent's sampled bit
//     (sdk/trace/span.go @ e15b34a1ac54f7dff0eab3c291f269cf2dcc444a, startSpanInternal and
//     makeSamplingDecision).
//   - Span end: a new *SpanData holding a copy of the SpanContext is handed to the processor
//     (span.go, End and makeSpanData); the batch processor queues the pointer on a channel of 2048
//     and an exporter goroutine drains it in batches of 512
//     (sdk/trace/batch_span_processor.go @ 15bfc5bb12a4e0a02b1b96b701fd2881cefe1158, OnEnd,
//     enqueue, processQueue; WithBlocking, so that no span is dropped and every row exports the
//     same spans).
//
// Where upstream allocates in code that all four strategies share — W3C inject (fmt.Sprintf of
// the traceparent, TraceState.String) and ParseTraceState (strings.Split, a map for duplicates, a
// regexp per member) — the twin does the same work with fewer allocations (injection into reused
// buffers, extraction as one header string plus the member list), as the Rust model does. Those
// costs are common to every Go row, so they move no comparison between them.

import (
	"context"
	"strconv"
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

// SpanContext has upstream's layout.
type SpanContext struct {
	traceID    TraceID
	spanID     SpanID
	traceFlags TraceFlags
	traceState TraceState
	remote     bool
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
