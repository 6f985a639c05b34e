package main

// One pass: warm-up, then the measured region between two stops of the world
// (runtime.ReadMemStats), with the live heap sampled by runtime/metrics (which does not stop the
// world) and reported in the harness's pass format (harness/src/pass.rs, PassOutput).

import (
	"bufio"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// heapObjects is the bytes of heap objects, live or not yet swept.
const heapObjects = "/memory/classes/heap/objects:bytes"

// heapSampler reads the heap every millisecond for the peak and every 10 ms for the timeline,
// without allocating once started.
type heapSampler struct {
	sample   []metrics.Sample
	peak     uint64
	timeline [][2]int64
	stop     chan struct{}
	done     chan struct{}
}

func newHeapSampler(capacity int) *heapSampler {
	return &heapSampler{
		sample:   []metrics.Sample{{Name: heapObjects}},
		timeline: make([][2]int64, 0, capacity),
		stop:     make(chan struct{}),
		done:     make(chan struct{}),
	}
}

func (h *heapSampler) read() uint64 {
	metrics.Read(h.sample)
	return h.sample[0].Value.Uint64()
}

func (h *heapSampler) run(start time.Time, ticker *time.Ticker) {
	defer close(h.done)
	n := 0
	for {
		select {
		case <-h.stop:
			return
		case <-ticker.C:
			v := h.read()
			if v > h.peak {
				h.peak = v
			}
			if n%10 == 0 && len(h.timeline) < cap(h.timeline) {
				h.timeline = append(h.timeline, [2]int64{int64(time.Since(start) / time.Millisecond), int64(v)})
			}
			n++
		}
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func peakRSS() uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if line := s.Text(); strings.HasPrefix(line, "VmHWM:") {
			rest := strings.TrimSpace(strings.TrimPrefix(line, "VmHWM:"))
			kb, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(rest, "kB")), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

// outcome is one producer goroutine's measured region.
type outcome struct {
	spans    uint64
	maxLagNs uint64
	finished time.Time
}

type cursor struct {
	stream       Stream
	trace        uint64
	next, budget uint64
}

func walkTrace(p producer, w *Workload, s Stream, t uint64, pc *pacer) {
	ts := s.traceState(t, w.TraceState)
	c := cursor{stream: s, trace: t, next: 1, budget: s.spansInTrace(t)}
	pc.waitTurn()
	root := p.startRoot(s.traceID(t), s.spanID(t, 0), spanName(0), ts)
	children(p, w, root, 1, &c, pc)
	p.end(root)
}

func children(p producer, w *Workload, parent any, level int, c *cursor, pc *pacer) {
	if level > w.Depth {
		return
	}
	for i := 0; i < w.FanOut; i++ {
		if c.next == c.budget {
			return
		}
		j := c.next
		c.next++
		pc.waitTurn()
		span := p.startChild(parent, c.stream.spanID(c.trace, j), spanName(level), c.stream.crossesBoundary(c.trace, j, w.PropagateEvery))
		children(p, w, span, level+1, c, pc)
		p.end(span)
	}
}

// walkStream runs producer i's share of stream s (traces i, i+n, …).
func walkStream(p producer, w *Workload, s Stream, i int, rate float64) *pacer {
	pc := newPacer(rate)
	for t := uint64(i); t < s.traces(); t += uint64(w.Producers) {
		walkTrace(p, w, s, t, pc)
	}
	return pc
}

// measure runs one pass of `strategy` on w and returns the harness's PassOutput.
func measure(w Workload, strategy string) passOutput {
	make1 := strategies[strategy]
	// One timeline point per 10 ms over the expected region (at least 100k spans/s), plus room.
	heap := newHeapSampler(int(w.Spans*100/max(w.Rate, 100_000)) + 1024)
	harnessLive := heap.read()

	pipe := newPipeline(nil)
	progressDone := make(chan struct{})
	defer close(progressDone)
	go pipe.reportProgress(time.NewTicker(200*time.Millisecond), make([]byte, 0, 40), progressDone)
	set := &pipelineSet{ratio: w.SampleRatio, pipe: pipe}
	factory := make1(set)
	pipe.slot = factory.slot
	producers := make([]producer, w.Producers)
	for i := range producers {
		producers[i] = factory.producer()
	}
	markers := make([]*flushMarker, 2)
	for i := range markers {
		markers[i] = &flushMarker{done: make(chan struct{})}
	}
	outcomes := make([]outcome, w.Producers)
	var wg sync.WaitGroup

	// Warm-up, unpaced, then every warm-up span exported.
	for i, p := range producers {
		wg.Add(1)
		go func(i int, p producer) {
			defer wg.Done()
			walkStream(p, &w, w.warmupStream(), i, 0)
		}(i, p)
	}
	wg.Wait()
	pipe.flush(markers[0])
	pipe.ex.reset()
	pipe.lat.reset()
	pipe.reads = 0
	pipe.batches = 0
	// Every row starts its region from a collected heap, so their GC counts compare.
	runtime.GC()
	ticker := time.NewTicker(time.Millisecond)
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	setupLive := heap.read()
	heap.peak = setupLive
	cpu0 := cpuTime()
	start := time.Now()
	go heap.run(start, ticker)

	for i, p := range producers {
		wg.Add(1)
		go func(i int, p producer) {
			defer wg.Done()
			pc := walkStream(p, &w, w.measured(), i, float64(w.Rate)/float64(w.Producers))
			outcomes[i] = outcome{spans: pc.emitted, maxLagNs: pc.maxLagNs, finished: time.Now()}
		}(i, p)
	}
	wg.Wait()
	pipe.flush(markers[1])
	cpu1 := cpuTime()
	close(heap.stop)
	<-heap.done
	endLive := heap.read()
	runtime.ReadMemStats(&m1)
	ticker.Stop()
	pipe.stop()

	var spans, maxLag uint64
	var elapsed time.Duration
	for _, o := range outcomes {
		spans += o.spans
		if o.maxLagNs > maxLag {
			maxLag = o.maxLagNs
		}
		if d := o.finished.Sub(start); d > elapsed {
			elapsed = d
		}
	}
	if heap.peak < endLive {
		heap.peak = endLive
	}
	allocated := m1.TotalAlloc - m0.TotalAlloc
	retained := int64(endLive) - int64(setupLive)
	freed := int64(allocated) - retained
	if freed < 0 {
		freed = 0
	}
	timeline := make([][2]int64, len(heap.timeline))
	for i, p := range heap.timeline {
		timeline[i] = [2]int64{p[0], p[1] - int64(harnessLive)}
	}
	gogc := debug.SetGCPercent(100)
	debug.SetGCPercent(gogc)
	settings := map[string]string{
		"GOGC":                 strconv.Itoa(gogc),
		"GOMAXPROCS":           strconv.Itoa(runtime.GOMAXPROCS(0)),
		"go":                   runtime.Version(),
		"batch queue":          "2048 spans (channel of ReadOnlySpan: a snapshot pointer per span, blocking), export batch 512",
		"current context read": "by the exporter goroutine, once per exported span",
		"counts":               "runtime.MemStats deltas (Mallocs, TotalAlloc: size-class bytes); not exact: the runtime allocates in the background, about 0.01% of the known answer's allocations (go test)",
	}
	for k, v := range factory.settings {
		settings[k] = v
	}
	return passOutput{
		Pass:           "count",
		Language:       "go",
		Scenario:       "go-" + strategy,
		Spans:          spans,
		SpansExported:  pipe.ex.spans,
		Digest:         hex16(pipe.ex.digest),
		CPUNs:          uint64(cpu1 - cpu0),
		EmitElapsedNs:  uint64(elapsed),
		AchievedRate:   float64(spans) / elapsed.Seconds(),
		MaxLagNs:       maxLag,
		LatencyP50Ns:   pipe.lat.quantile(0.50),
		LatencyP99Ns:   pipe.lat.quantile(0.99),
		LatencyMaxNs:   pipe.lat.max,
		PeakRSSBytes:   peakRSS(),
		Counts:         counts{Allocs: m1.Mallocs - m0.Mallocs, Deallocs: m1.Frees - m0.Frees, BytesAllocated: allocated, BytesDeallocated: uint64(freed), FreshBytes: allocated},
		SetupHeapBytes: sub(setupLive, harnessLive),
		RetainedHeap:   retained,
		PeakHeapBytes:  sub(heap.peak, harnessLive),
		PeakHeapError:  0,
		PeakLiveBytes:  heap.peak,
		Timeline:       timeline,
		Settings:       settings,
		ExportBatches:  pipe.batches,
		GCCycles:       uint64(m1.NumGC - m0.NumGC),
		GCPauseNs:      m1.PauseTotalNs - m0.PauseTotalNs,
		CurrentReads:   pipe.reads,
	}
}

func sub(a, b uint64) uint64 {
	if a < b {
		return 0
	}
	return a - b
}

func max(a, b uint64) uint64 {
	if a > b {
		return a
	}
	return b
}

func hex16(v uint64) string {
	var b [8]byte
	putBE(b[:], v)
	return string(appendHex(nil, b[:]))
}
