// Command gotwin is the Go twin of spanalloc's four strategies: the same seeded workload, pacing
// and digest as the Rust model, through the hand-offs of OpenTelemetry Go's SDK (see sdk.go for
// what was read upstream), measured in its own process and reported as one pass in the
// harness's format, so that spanalloc's tables, compare, history and report take it like any row.
//
//	gotwin -strategy value|pointer|pool|atomic|known -trace-state 4 -spans 1000000 -rate 100000 …
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
)

type counts struct {
	Allocs           uint64 `json:"allocs"`
	Deallocs         uint64 `json:"deallocs"`
	Reallocs         uint64 `json:"reallocs"`
	BytesAllocated   uint64 `json:"bytes_allocated"`
	BytesDeallocated uint64 `json:"bytes_deallocated"`
	BytesReallocated int64  `json:"bytes_reallocated"`
	FreshBytes       uint64 `json:"fresh_bytes"`
	ReallocNewBytes  uint64 `json:"realloc_new_bytes"`
}

// passOutput is harness/src/pass.rs's PassOutput.
type passOutput struct {
	Pass           string            `json:"pass"`
	Language       string            `json:"language"`
	Scenario       string            `json:"scenario"`
	Spans          uint64            `json:"spans"`
	SpansExported  uint64            `json:"spans_exported"`
	Digest         string            `json:"digest"`
	CPUNs          uint64            `json:"cpu_ns"`
	EmitElapsedNs  uint64            `json:"emit_elapsed_ns"`
	AchievedRate   float64           `json:"achieved_rate"`
	MaxLagNs       uint64            `json:"max_lag_ns"`
	LatencyP50Ns   uint64            `json:"latency_p50_ns"`
	LatencyP99Ns   uint64            `json:"latency_p99_ns"`
	LatencyMaxNs   uint64            `json:"latency_max_ns"`
	PeakRSSBytes   uint64            `json:"peak_rss_bytes"`
	Counts         counts            `json:"counts"`
	SetupHeapBytes uint64            `json:"setup_heap_bytes"`
	RetainedHeap   int64             `json:"retained_heap_bytes"`
	PeakHeapBytes  uint64            `json:"peak_heap_bytes"`
	PeakHeapError  uint64            `json:"peak_heap_error_bytes"`
	PeakLiveBytes  uint64            `json:"peak_live_bytes"`
	Timeline       [][2]int64        `json:"timeline"`
	Settings       map[string]string `json:"settings"`
	ExportBatches  uint64            `json:"export_batches"`
	GCCycles       uint64            `json:"gc_cycles"`
	GCPauseNs      uint64            `json:"gc_pause_ns"`
	CurrentReads   uint64            `json:"-"`
}

func main() {
	var w Workload
	strategy := flag.String("strategy", "value", "value, pointer, pointer-embedded, pool, atomic, user-pointer or known")
	flag.Uint64Var(&w.Seed, "seed", 42, "workload seed")
	flag.Uint64Var(&w.Spans, "spans", 1_000_000, "measured spans")
	flag.Uint64Var(&w.Warmup, "warmup", 20_000, "warm-up spans")
	flag.Uint64Var(&w.Rate, "rate", 100_000, "spans/s over all producers; 0 unpaced")
	flag.IntVar(&w.Producers, "producers", 1, "producer goroutines")
	flag.IntVar(&w.TraceState, "trace-state", 4, "trace-state entries (0..32)")
	flag.IntVar(&w.FanOut, "fan-out", 3, "children per span")
	flag.IntVar(&w.Depth, "depth", 2, "levels below the root")
	flag.Uint64Var(&w.PropagateEvery, "propagate-every", 10, "every k-th span crosses a process boundary")
	flag.Float64Var(&w.SampleRatio, "sample-ratio", 1.0, "share of root traces sampled")
	flag.Parse()
	if _, ok := strategies[*strategy]; !ok {
		fail("unknown strategy %q (value, pointer, pointer-embedded, pool, atomic, user-pointer, known)", *strategy)
	}
	switch {
	case w.Spans == 0:
		fail("-spans must be at least 1")
	case w.Producers < 1:
		fail("-producers must be at least 1")
	case w.TraceState < 0 || w.TraceState > 32:
		fail("-trace-state must be 0..=32")
	case w.FanOut < 1 && w.Depth > 0:
		fail("-fan-out must be at least 1")
	case w.PropagateEvery == 0:
		fail("-propagate-every must be at least 1")
	case w.SampleRatio < 0 || w.SampleRatio > 1:
		fail("-sample-ratio must be within 0..=1")
	}
	out, err := json.Marshal(measure(w, *strategy))
	if err != nil {
		fail("cannot encode the result: %v", err)
	}
	fmt.Println(string(out))
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "gotwin: "+format+"\n", args...)
	os.Exit(2)
}
