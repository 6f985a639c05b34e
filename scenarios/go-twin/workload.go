package main

// The seeded workload, ported from the Rust model (scenarios/model/src/workload.rs, ids.rs,
// digest.rs, pacing.rs) so that the twin exports exactly the spans the Rust rows export: the same
// ids, parents, flags, trace state and names, hence the same digest.

import "time"

// Workload is the Rust model's WorkloadConfig.
type Workload struct {
	Seed           uint64
	Spans          uint64
	Warmup         uint64
	Rate           uint64
	Producers      int
	TraceState     int
	FanOut         int
	Depth          int
	PropagateEvery uint64
	SampleRatio    float64
}

// spanNames by depth, as the model names them.
var spanNames = [3]string{"GET /checkout", "inventory.reserve", "db.query"}

func spanName(level int) string {
	if level >= len(spanNames) {
		level = len(spanNames) - 1
	}
	return spanNames[level]
}

// attributes every span carries; the exporter encodes them.
var attributes = [3]struct {
	k string
	v int64
}{{"http.status_code", 200}, {"net.peer.port", 5432}, {"retry", 0}}

// mix is SplitMix64's finaliser (model: workload::mix).
func mix(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func (w *Workload) spansPerTrace() uint64 {
	total, level := uint64(0), uint64(1)
	for d := 0; d <= w.Depth; d++ {
		total += level
		if d < w.Depth {
			level *= uint64(w.FanOut)
		}
	}
	return total
}

// Stream is a run of consecutive traces (model: workload::Stream).
type Stream struct {
	seed, spans, spansPerTrace uint64
}

func (w *Workload) measured() Stream { return Stream{w.Seed, w.Spans, w.spansPerTrace()} }
func (w *Workload) warmupStream() Stream {
	return Stream{mix(w.Seed ^ 0x5741524d5550), w.Warmup, w.spansPerTrace()}
}

func (s Stream) traces() uint64 { return (s.spans + s.spansPerTrace - 1) / s.spansPerTrace }

func (s Stream) spansInTrace(t uint64) uint64 {
	left := s.spans - t*s.spansPerTrace
	if left < s.spansPerTrace {
		return left
	}
	return s.spansPerTrace
}

func (s Stream) traceID(t uint64) (id TraceID) {
	hi := mix(s.seed ^ mix(2*t))
	lo := mix(s.seed^mix(2*t+1)) | 1
	putBE(id[:8], hi)
	putBE(id[8:], lo)
	return
}

func (s Stream) spanID(t, j uint64) (id SpanID) {
	putBE(id[:], mix(mix(s.seed^t)+j)|1)
	return
}

func (s Stream) crossesBoundary(t, j, every uint64) bool {
	return j > 0 && (t*s.spansPerTrace+j)%every == 0
}

func putBE(b []byte, v uint64) {
	for i := 0; i < 8; i++ {
		b[i] = byte(v >> (56 - 8*i))
	}
}

const hexDigits = "0123456789abcdef"

// vendorKeys are the generated keys vendor00..vendor31: constants, so a trace state's keys cost
// nothing to build.
var vendorKeys = func() (keys [32]string) {
	for i := range keys {
		keys[i] = "vendor" + string([]byte{'0' + byte(i/10), '0' + byte(i%10)})
	}
	return
}()

// traceState builds trace t's n vendor entries as an incoming header's parse would hold them: one
// string of all the values (substrings share it, as ParseTraceState's substrings share the
// header) and the member list — two allocations per trace when n > 0, none when n = 0.
func (s Stream) traceState(t uint64, n int) TraceState {
	if n == 0 {
		return TraceState{}
	}
	buf := make([]byte, 16*n)
	for i := 0; i < n; i++ {
		bits := mix(s.seed ^ mix(t) ^ uint64(i+1))
		for d := 0; d < 16; d++ {
			buf[16*i+d] = hexDigits[(bits>>(4*d))&0xf]
		}
	}
	values := string(buf)
	list := make([]member, n)
	for i := range list {
		list[i] = member{Key: vendorKeys[i], Value: values[16*i : 16*i+16]}
	}
	return TraceState{list: list}
}

// pacer is the model's Pacer (scenarios/model/src/pacing.rs): spans are let out in 1 ms ticks at
// the target rate; 0 runs unpaced.
type pacer struct {
	start     time.Time
	nsPerSpan float64
	emitted   uint64
	windowEnd uint64
	maxLagNs  uint64
}

const tickNs = 1_000_000

func newPacer(rate float64) *pacer {
	p := &pacer{start: time.Now()}
	if rate > 0 {
		p.nsPerSpan = 1e9 / rate
	}
	return p
}

func (p *pacer) waitTurn() {
	if p.nsPerSpan == 0 {
		p.emitted++
		return
	}
	due := uint64(float64(p.emitted) * p.nsPerSpan)
	p.emitted++
	if due < p.windowEnd {
		return
	}
	tickStart := due / tickNs * tickNs
	now := uint64(time.Since(p.start))
	if now < tickStart {
		time.Sleep(time.Duration(tickStart - now))
		now = uint64(time.Since(p.start))
	}
	if now > due && now-due > p.maxLagNs {
		p.maxLagNs = now - due
	}
	p.windowEnd = tickStart + tickNs
}
