package article

import (
	"runtime"
	"testing"
)

// The article's benchmarks: the span is used as a caller would (kept in a local, its ID read),
// never stored in a global to force an escape the article's code does not have.
func BenchmarkPointerReceiver(b *testing.B) {
	t := &Tracer{}
	b.ReportAllocs()
	var sum uint64
	for i := 0; i < b.N; i++ {
		s := t.StartSpan("op")
		sum += s.ID
	}
	_ = sum
}

func BenchmarkValueReceiver(b *testing.B) {
	t := &Tracer{}
	b.ReportAllocs()
	var sum uint64
	for i := 0; i < b.N; i++ {
		s := t.StartSpanByValue("op")
		sum += s.ID
	}
	_ = sum
}

// perCall is what -benchmem reports for f: heap bytes and allocations per call, from the same
// runtime counters, over enough calls that a stray runtime allocation rounds away.
func perCall(f func()) (bytes, allocs uint64) {
	const calls = 10000
	f() // anything a first call sets up is not the call's
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := 0; i < calls; i++ {
		f()
	}
	runtime.ReadMemStats(&after)
	return (after.TotalAlloc - before.TotalAlloc) / calls, (after.Mallocs - before.Mallocs) / calls
}

// The article's table (Go 1.22): 48 B/op by value, 16 B/op by pointer. The verbatim code
// allocates its *Span either way (StartSpan defers, so it is not inlined, and the span escapes
// through its result): 32 B by pointer, and by value the Tracer copy the span points at too.
func TestBytesPerCallAsBenchmemCountsThem(t *testing.T) {
	tr := &Tracer{}
	var sum uint64
	for _, c := range []struct {
		name          string
		f             func()
		bytes, allocs uint64
	}{
		{"pointer receiver", func() { sum += tr.StartSpan("op").ID }, 32, 1},
		{"value receiver", func() { sum += tr.StartSpanByValue("op").ID }, 48, 2},
	} {
		bytes, allocs := perCall(c.f)
		if bytes != c.bytes || allocs != c.allocs {
			t.Errorf("%s: %d B/op, %d allocs/op; want %d B/op, %d allocs/op", c.name, bytes, allocs, c.bytes, c.allocs)
		}
	}
	_ = sum
}
