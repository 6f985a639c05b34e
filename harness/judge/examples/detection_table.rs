//! The detection table of docs/change-points.md: how often the analysis finds a planted step,
//! misses it or names a change where there is none, per step size and series length, under
//! noise at this project's measured night-to-night spread.
//!
//! A step counts as found when a change point lies within ±2 nights of it; every other change
//! point is false. Seeds 0..SEEDS, the step in the middle of the series.
//!
//! cargo run --release -p spanalloc-judge --example detection_table [SEEDS]

use spanalloc_judge::changes::{self, edivisive, synthetic};

fn main() {
    let seeds: u64 = std::env::args().nth(1).map_or(50, |a| a.parse().expect("a number"));
    let o = edivisive::Options::default();
    for (metric, noise) in changes::MEASURED_NOISE {
        println!("\n{metric}: noise {:.4}% (one standard deviation), {seeds} series per cell", noise * 100.0);
        println!("| step | nights | found | missed | false (per series) |");
        println!("|---|---|---|---|---|");
        for step in [0.0, 0.01, 0.02, 0.05, 0.10] {
            for len in [20usize, 40, 60, 100] {
                let (mut found, mut missed, mut false_points) = (0, 0, 0);
                for seed in 0..seeds {
                    let at = (step > 0.0).then_some(len / 2);
                    let p = synthetic::Plant { len, level: 1000.0, step_at: at, step, drift: 0.0, noise };
                    let cps = edivisive::change_points(&synthetic::series(&p, seed), &o);
                    let hit = at.is_some_and(|a| cps.iter().any(|c| c.index.abs_diff(a) <= 2));
                    match (at, hit) {
                        (Some(_), true) => found += 1,
                        (Some(_), false) => missed += 1,
                        (None, _) => {}
                    }
                    false_points += cps.iter().filter(|c| at.is_none_or(|a| c.index.abs_diff(a) > 2)).count();
                }
                let (f, m) = if step > 0.0 { (found.to_string(), missed.to_string()) } else { ("—".into(), "—".into()) };
                println!(
                    "| {:.0}% | {len} | {f} | {m} | {} ({:.2}) |",
                    step * 100.0,
                    false_points,
                    false_points as f64 / seeds as f64
                );
            }
        }
    }
}
