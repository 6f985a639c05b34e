package main

// The batch span processor and its exporter goroutine, shared by every strategy: finished spans
// are queued as pointers on a channel of 2048 (upstream's default queue, blocking), an exporter
// goroutine drains them in batches of 512 (upstream's default batch), encodes each into the
// digest, reads the current context once per span and releases the record.

import (
	"math/bits"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

const (
	queueSize = 2048
	batchSize = 512
)

// record is a finished span on its way to the exporter: a pointer, so queuing it allocates
// nothing (a pointer in an interface is stored as is).
type record interface {
	exportTo(e *exporter)
	endedAt() int64
	release()
}

// flushMarker asks the exporter to export what it holds and say so.
type flushMarker struct{ done chan struct{} }

func (*flushMarker) exportTo(*exporter) {}
func (*flushMarker) endedAt() int64     { return 0 }
func (*flushMarker) release()           {}

// currentSlot is where a strategy publishes the current context and the exporter reads it.
type currentSlot interface {
	readCurrent() bool
}

var epoch = time.Now()

func nanotime() int64 { return int64(time.Since(epoch)) }

// latency is a log-linear histogram of end-to-export nanoseconds: 2^subBits sub-buckets per power
// of two (128: a value is known within 0.8%, where 16 made every Go row's p99 land on the same
// ~6%-wide bucket), fixed size, so recording never allocates.
const subBits = 7

type latency struct {
	counts [64 << subBits]uint64
	n      uint64
	max    uint64
}

func (l *latency) record(ns uint64) {
	b := bits.Len64(ns)
	sub := ns
	if b > subBits {
		sub = (ns >> (b - subBits - 1)) & (1<<subBits - 1)
	}
	l.counts[b<<subBits+int(sub)]++
	l.n++
	if ns > l.max {
		l.max = ns
	}
}

// quantile is the upper edge of the bucket holding the q-th value.
func (l *latency) quantile(q float64) uint64 {
	if l.n == 0 {
		return 0
	}
	want := uint64(q*float64(l.n) + 0.5)
	if want == 0 {
		want = 1
	}
	seen := uint64(0)
	for i, c := range l.counts {
		seen += c
		if seen >= want {
			b, sub := i>>subBits, uint64(i&(1<<subBits-1))
			if b <= subBits {
				return sub
			}
			return (1<<subBits + sub + 1) << (b - subBits - 1)
		}
	}
	return l.max
}

func (l *latency) reset() { *l = latency{} }

// pipeline is the queue and the exporter goroutine.
type pipeline struct {
	queue chan record
	slot  currentSlot
	ex    *exporter
	lat   latency
	reads uint64
	// batches counts the non-empty batches exported, as the Rust rows' export_batches does;
	// read and reset only while the exporter waits on a flush marker.
	batches uint64
	stopped sync.WaitGroup
	// exported counts every span exported, warm-up included, for the harness's watchdog
	// (reportProgress): it only has to move.
	exported atomic.Uint64
}

func newPipeline(slot currentSlot) *pipeline {
	p := &pipeline{queue: make(chan record, queueSize), slot: slot, ex: newExporter()}
	p.stopped.Add(1)
	go p.exportLoop()
	return p
}

func (p *pipeline) exportLoop() {
	defer p.stopped.Done()
	batch := make([]record, 0, batchSize)
	exportBatch := func() {
		if len(batch) > 0 {
			p.batches++
		}
		for i, r := range batch {
			r.exportTo(p.ex)
			if ns := nanotime() - r.endedAt(); ns > 0 {
				p.lat.record(uint64(ns))
			} else {
				p.lat.record(0)
			}
			if p.slot.readCurrent() {
				p.reads++
			}
			r.release()
			batch[i] = nil
		}
		p.exported.Add(uint64(len(batch)))
		batch = batch[:0]
	}
	for r := range p.queue {
		if m, ok := r.(*flushMarker); ok {
			exportBatch()
			m.done <- struct{}{}
			continue
		}
		batch = append(batch, r)
		if len(batch) == batchSize {
			exportBatch()
		}
	}
	exportBatch()
}

// flush waits until every span queued before it has been exported; the marker is made by the
// caller outside the measured region.
func (p *pipeline) flush(m *flushMarker) {
	p.queue <- m
	<-m.done
}

func (p *pipeline) stop() {
	close(p.queue)
	p.stopped.Wait()
}

// producer is one producer goroutine's side of a strategy: what the walk calls. The span handle
// is what an application holds: the activation context.Context (in an interface, which costs
// nothing more), or the known answer's record.
type producer interface {
	startRoot(id TraceID, span SpanID, name string, ts TraceState) any
	startChild(parent any, span SpanID, name string, crossesBoundary bool) any
	end(span any)
}

// reportProgress writes `@progress N` to stderr every 200 ms until stop is closed, N the spans
// exported so far: the harness kills a pass whose count stops moving. Its ticker and buffer are
// made by the caller before the measured region, and it allocates nothing itself (the buffer is
// reused, the write direct), so the measured region does not see it.
func (p *pipeline) reportProgress(tick *time.Ticker, buf []byte, stop <-chan struct{}) {
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
			buf = append(buf[:0], "@progress "...)
			buf = strconv.AppendUint(buf, p.exported.Load(), 10)
			buf = append(buf, '\n')
			_, _ = os.Stderr.Write(buf)
		}
	}
}
