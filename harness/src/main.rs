fn main() {
    for s in spanalloc::scenarios::ALL {
        let cfg = spanalloc_model::WorkloadConfig::default();
        let r = (s.run)(&cfg, &spanalloc_model::NoHooks);
        println!("{:<16} spans {:>8} digest {:016x} rate {:.0}/s", s.name, r.spans_exported, r.digest, r.achieved_rate);
    }
}
