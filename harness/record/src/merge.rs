//! A sharded night made whole: the shards' results files merged into one, whose rows are their
//! union, each row keeping the environment its shard measured it on, and whose config records
//! the whole plan and which shard delivered what. A shard that delivered nothing does not make a
//! smaller night: each of its planned rows becomes a failure of kind `shard-lost`, so the merged
//! night fails however it is judged.

use std::collections::{BTreeMap, BTreeSet};

use crate::schema::{Delivered, Failure, FailureKind, Results, Shards, SCHEMA_VERSION};

/// One shard's file, named as the user gave it (for messages).
pub struct ShardFile {
    /// How the command line named it.
    pub name: String,
    /// Its results.
    pub results: Results,
}

/// Merges `files`, each a shard of one night (`run --shard I/N`), into one run with the id
/// `run_id`. Refused, naming the file: a file that is not a shard, a shard of another night
/// (CI run), of another plan, commit, build or schema, a shard given twice in one attempt, and
/// rows two shards both delivered. Of a shard given in several attempts, the latest is taken.
pub fn merge(files: Vec<ShardFile>, run_id: String) -> Result<Results, String> {
    let first = files.first().ok_or("merge needs at least one shard's results")?;
    let shard_of = |f: &ShardFile| {
        f.results.config.shard.clone().ok_or_else(|| format!("{}: not a shard's results (run --shard I/N makes one)", f.name))
    };
    let lead = shard_of(first)?;
    let plan = {
        let mut c = first.results.config.clone();
        c.shard = None;
        c
    };
    // The latest attempt of every shard.
    let mut chosen: BTreeMap<usize, (u32, &ShardFile)> = BTreeMap::new();
    for f in &files {
        let s = shard_of(f)?;
        if f.results.schema_version != SCHEMA_VERSION {
            return Err(format!(
                "{}: schema {} — shards are merged by the binary that made them (schema {SCHEMA_VERSION})",
                f.name, f.results.schema_version
            ));
        }
        if s.run != lead.run {
            return Err(format!("{}: a shard of another night (run {}, not {})", f.name, s.run, lead.run));
        }
        if s.count != lead.count || !(1..=s.count).contains(&s.index) {
            return Err(format!("{}: shard {} of another split than {}/{}", f.name, s.label(), lead.index, lead.count));
        }
        // Every shard of a night deals the same units: another deal would leave rows to no shard.
        if s.split != lead.split {
            return Err(format!("{}: shard {} dealt the rows otherwise than {} did", f.name, s.label(), first.name));
        }
        let mut c = f.results.config.clone();
        c.shard = None;
        if c != plan {
            return Err(format!(
                "{}: another plan than {}'s (spans, sizes, rate, repeats or workload differ)",
                f.name, first.name
            ));
        }
        if f.results.environment.git_commit != first.results.environment.git_commit {
            return Err(format!(
                "{}: measured at commit {}, {} at {}",
                f.name,
                f.results.environment.git_commit.as_deref().unwrap_or("unknown"),
                first.name,
                first.results.environment.git_commit.as_deref().unwrap_or("unknown")
            ));
        }
        // One build measured the night: the counts of rows built otherwise are other counts.
        let build = |r: &Results| (r.environment.rustc.clone(), r.environment.allocator.clone(), r.environment.profile.clone());
        if build(&f.results) != build(&first.results) {
            return Err(format!(
                "{}: measured by another build than {} (rustc '{}', allocator '{}', profile {})",
                f.name,
                first.name,
                f.results.environment.rustc,
                f.results.environment.allocator,
                f.results.environment.profile.as_deref().unwrap_or("unknown")
            ));
        }
        match chosen.get(&s.index) {
            Some((attempt, other)) if *attempt == s.attempt => {
                return Err(format!("{} and {}: shard {} given twice in attempt {}", other.name, f.name, s.label(), s.attempt));
            }
            Some((attempt, _)) if *attempt > s.attempt => {}
            _ => {
                chosen.insert(s.index, (s.attempt, f));
            }
        }
    }

    let mut merged = Results {
        schema_version: SCHEMA_VERSION,
        config: plan.clone(),
        environment: first.results.environment.clone(),
        scenarios: Vec::new(),
        failures: Vec::new(),
        saved_with_failures: false,
        // The one shard that ran the article's benchmarks (the Go twin's at the first size) carries them.
        go_benchmem: chosen.values().find_map(|(_, f)| f.results.go_benchmem.clone()),
    };
    merged.environment.run_id = Some(run_id);
    let mut delivered = Vec::new();
    let mut seen = BTreeSet::new();
    let mut names: Vec<String> = Vec::new();
    for (index, (attempt, f)) in &chosen {
        let shard = f.results.config.shard.as_ref().expect("checked above");
        for s in &f.results.scenarios {
            if !seen.insert((s.id(), s.trace_state_entries)) {
                return Err(format!("{}: {} ts={} was delivered by another shard too", f.name, s.id(), s.trace_state_entries));
            }
            if !names.contains(&s.name) {
                names.push(s.name.clone());
            }
            let mut row = s.clone();
            row.environment.get_or_insert_with(|| f.results.environment.clone());
            merged.scenarios.push(row);
        }
        for fail in &f.results.failures {
            if !names.contains(&fail.name) {
                names.push(fail.name.clone());
            }
        }
        merged.failures.extend(f.results.failures.iter().cloned());
        delivered.push(Delivered {
            index: *index,
            attempt: *attempt,
            run_id: f.results.environment.run_id.clone(),
            trace_state: shard.sizes_of(*index, &plan.trace_state),
            rows: f.results.scenarios.len(),
        });
    }
    let lost: Vec<usize> = (1..=lead.count).filter(|i| !chosen.contains_key(i)).collect();
    for &index in &lost {
        let error = format!("not measured: shard {}/{} lost", index, lead.count);
        let lost_row = |name: &str, ts: usize| Failure {
            name: name.to_owned(),
            trace_state_entries: ts,
            kind: FailureKind::ShardLost,
            pass: "shard".into(),
            error: error.clone(),
            stderr_tail: String::new(),
        };
        if lead.split.is_empty() {
            // Whole sizes (before schema 19): every row the other shards named, at its sizes.
            for ts in lead.sizes_of(index, &plan.trace_state) {
                merged.failures.extend(names.iter().map(|name| lost_row(name, ts)));
            }
        } else {
            // The split names every row it dealt the lost shard, whatever the others measured.
            for unit in lead.split.iter().filter(|u| u.shard == index) {
                merged.failures.extend(unit.rows.iter().map(|name| lost_row(name, unit.trace_state)));
            }
        }
    }
    // Rows in the plan's order: by size, then as the shards listed them.
    let position = |ts: usize| plan.trace_state.iter().position(|&t| t == ts).unwrap_or(usize::MAX);
    merged.scenarios.sort_by_key(|s| position(s.trace_state_entries));
    merged.config.shards = Some(Shards { count: lead.count, run: lead.run.clone(), delivered, lost, split: lead.split.clone() });
    Ok(merged)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::parse_results;
    use crate::schema::{Shard, Unit};

    /// Shard `index` of `count` of the fixture's plan, as `run --shard` writes it.
    fn shard(index: usize, count: usize, run: &str, attempt: u32) -> ShardFile {
        let mut r = parse_results(include_bytes!("../tests/fixtures/results-v1.json")).expect("the fixture is valid");
        r.schema_version = SCHEMA_VERSION;
        let s = Shard { index, count, run: run.into(), attempt, split: vec![] };
        let mine = s.sizes_of(index, &r.config.trace_state);
        r.scenarios.retain(|row| mine.contains(&row.trace_state_entries));
        r.config.shard = Some(s);
        ShardFile { name: format!("s{index}-{attempt}"), results: r }
    }

    #[test]
    fn shards_make_the_plan_whole_and_a_lost_one_fails_its_rows() {
        let whole = parse_results(include_bytes!("../tests/fixtures/results-v1.json")).unwrap();
        let plan = whole.config.trace_state.clone();
        assert!(plan.len() >= 2, "the fixture sweeps at least two sizes");
        let m = merge(vec![shard(1, 2, "n", 1), shard(2, 2, "n", 1)], "merged".into()).unwrap();
        assert_eq!(m.scenarios.len(), whole.scenarios.len());
        assert!(m.failures.is_empty() && m.scenarios.iter().all(|s| s.environment.is_some()));
        assert_eq!(m.environment.run_id.as_deref(), Some("merged"));
        let lost = merge(vec![shard(1, 2, "n", 1)], "merged".into()).unwrap();
        let names: std::collections::BTreeSet<&str> = whole.scenarios.iter().map(|s| s.name.as_str()).collect();
        let second = Shard { index: 2, count: 2, run: "n".into(), attempt: 1, split: vec![] }.sizes_of(2, &plan);
        assert_eq!(lost.failures.len(), names.len() * second.len());
        assert!(lost.failures.iter().all(|f| f.kind == FailureKind::ShardLost && f.error == "not measured: shard 2/2 lost"));
        assert_eq!(lost.config.shards.unwrap().lost, [2]);
    }

    #[test]
    fn foreign_doubled_or_otherwise_built_shards_are_refused_by_name() {
        let err = |files: Vec<ShardFile>| merge(files, "m".into()).unwrap_err();
        assert!(err(vec![shard(1, 2, "n", 1), shard(2, 2, "other", 1)]).contains("a shard of another night (run other, not n)"));
        assert!(err(vec![shard(1, 2, "n", 1), shard(1, 2, "n", 1)]).contains("shard 1/2 given twice in attempt 1"));
        let mut rebuilt = shard(2, 2, "n", 1);
        rebuilt.results.environment.rustc = "rustc 9.99.0".into();
        assert!(err(vec![shard(1, 2, "n", 1), rebuilt]).contains("measured by another build"));
        let mut replanned = shard(2, 2, "n", 1);
        replanned.results.config.spans += 1;
        assert!(err(vec![shard(1, 2, "n", 1), replanned]).contains("another plan"));
        let mut plain = shard(2, 2, "n", 1);
        plain.results.config.shard = None;
        assert!(err(vec![plain]).contains("not a shard's results"));
        // A later attempt replaces the earlier, whichever order they come in.
        let m = merge(vec![shard(2, 2, "n", 2), shard(1, 2, "n", 1), shard(2, 2, "n", 1)], "m".into()).unwrap();
        assert_eq!(m.config.shards.unwrap().delivered.iter().map(|d| d.attempt).collect::<Vec<_>>(), [1, 2]);
    }

    /// The fixture's rows dealt by unit: shard 1 every row at the first size and the first row at
    /// the second, shard 2 the rest of the second size.
    fn dealt(index: usize) -> ShardFile {
        let mut f = shard(1, 2, "n", 1);
        let whole = parse_results(include_bytes!("../tests/fixtures/results-v1.json")).unwrap();
        let plan = whole.config.trace_state.clone();
        let names: Vec<String> = whole.scenarios.iter().filter(|s| s.trace_state_entries == plan[1]).map(|s| s.id()).collect();
        let unit = |shard: usize, ts: usize, rows: Vec<String>| Unit {
            shard,
            trace_state: ts,
            group: format!("g{shard}-{ts}"),
            rows,
            predicted_s: 1.0,
        };
        let first: Vec<String> = whole.scenarios.iter().filter(|s| s.trace_state_entries == plan[0]).map(|s| s.id()).collect();
        let split = vec![unit(1, plan[0], first), unit(1, plan[1], names[..1].to_vec()), unit(2, plan[1], names[1..].to_vec())];
        let s = Shard { index, count: 2, run: "n".into(), attempt: 1, split };
        // With a split, where a size sits in the plan does not matter: the unit does.
        f.results.scenarios =
            whole.scenarios.into_iter().filter(|r| s.takes(usize::MAX, r.trace_state_entries, &r.id())).collect();
        f.results.config.shard = Some(s);
        f.name = format!("dealt{index}");
        f
    }

    #[test]
    fn a_size_dealt_to_two_shards_merges_whole_and_a_lost_shard_names_its_rows_from_the_split() {
        let whole = parse_results(include_bytes!("../tests/fixtures/results-v1.json")).unwrap();
        let plan = whole.config.trace_state.clone();
        let second: Vec<String> = whole.scenarios.iter().filter(|s| s.trace_state_entries == plan[1]).map(|s| s.id()).collect();
        assert!(second.len() >= 2, "the fixture has two rows at its second size");
        let m = merge(vec![dealt(1), dealt(2)], "m".into()).unwrap();
        assert_eq!(m.scenarios.len(), whole.scenarios.len());
        let shards = m.config.shards.as_ref().unwrap();
        assert_eq!(shards.delivered.iter().map(|d| d.trace_state.clone()).collect::<Vec<_>>(), [plan.clone(), vec![plan[1]]]);
        assert_eq!(shards.split.len(), 3, "the merged night records the split");
        // Shard 2 lost: exactly its rows fail, named from the split.
        let lost = merge(vec![dealt(1)], "m".into()).unwrap();
        let failed: Vec<(String, usize)> = lost.failures.iter().map(|f| (f.name.clone(), f.trace_state_entries)).collect();
        assert_eq!(failed, second[1..].iter().map(|n| (n.clone(), plan[1])).collect::<Vec<_>>());
        // A shard that dealt otherwise is refused.
        let mut other = dealt(2);
        other.results.config.shard.as_mut().unwrap().split[0].shard = 2;
        assert!(merge(vec![dealt(1), other], "m".into()).unwrap_err().contains("dealt the rows otherwise"));
    }
}
