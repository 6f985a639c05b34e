//! The `spanalloc` binary. Exit status: 0 fine, 1 a scenario failed or a check disagreed,
//! 2 bad input.

use std::process::ExitCode;

use clap::Parser;
use spanalloc::cli::{BaselineAction, Cli, Command, CompareArgs, HistoryAction, MeasureArgs, UsageError};
use spanalloc::compare::thresholds::Thresholds;
use spanalloc::input::{load_results, InputError};
use spanalloc::{baseline, child, compare, export, history, run, scenarios};

#[global_allocator]
static ALLOCATOR: spanalloc::meter::Meter = spanalloc::meter::Meter;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            let first = e.to_string().lines().next().unwrap_or("bad arguments").to_owned();
            return usage_error(&UsageError(first.trim_start_matches("error: ").to_owned()));
        }
    };
    match cli.command {
        Command::List => {
            for s in scenarios::ALL {
                println!("{:<16} {}", s.name, s.description);
            }
            ExitCode::SUCCESS
        }
        Command::Measure(m) => measure(&m),
        Command::Baseline { action } => or_input_error(match action {
            BaselineAction::Save { name, from, dir } => baseline::save(&name, &from, &dir).map(|f| {
                println!("saved baseline {name} to {}", f.display());
                ExitCode::SUCCESS
            }),
            BaselineAction::List { dir } => baseline::list(&dir).map(|lines| {
                if lines.is_empty() {
                    println!("no baselines in {}", dir.display());
                }
                lines.iter().for_each(|l| println!("{l}"));
                ExitCode::SUCCESS
            }),
        }),
        Command::Compare(args) => or_input_error(compare_command(&args)),
        Command::History { action } => or_input_error(match action {
            HistoryAction::Append { results, file } => history::append(&results, &file).map(|warnings| {
                warnings.iter().for_each(|w| eprintln!("spanalloc: warning: {w}"));
                println!("appended {} to {}", results.display(), file.display());
                ExitCode::SUCCESS
            }),
            HistoryAction::Show { file } => history::read(&file).map(|(entries, warnings)| {
                warnings.iter().for_each(|w| eprintln!("spanalloc: warning: {w}"));
                for e in entries {
                    let cells: Vec<String> = e
                        .headline
                        .iter()
                        .map(|h| format!("{}/ts{} {:.3} allocs/span", h.scenario, h.trace_state_entries, h.allocs_per_span))
                        .collect();
                    println!("{} {} {}", e.date, e.commit.as_deref().map_or("-", |c| &c[..c.len().min(12)]), cells.join(", "));
                }
                ExitCode::SUCCESS
            }),
        }),
        Command::Report(args) => report_command(&args.dir, &(&args.sources).into()),
        Command::Export(args) => or_input_error(load_results(&args.results).map(|r| {
            println!("{}", export::export(&r, args.format));
            ExitCode::SUCCESS
        })),
        Command::Run(args) => {
            let selected = match run::validate(&args) {
                Ok(s) => s,
                Err(e) => return usage_error(&e),
            };
            match run::run(&args, &selected) {
                Ok((results, problems)) => {
                    run::print_summary(&results);
                    println!("results: {}", args.out.join("results.json").display());
                    let mut problems = problems;
                    if report_command(&args.out, &(&args.sources).into()) != ExitCode::SUCCESS {
                        problems.0.push("the report could not be rendered".into());
                    }
                    for p in &problems.0 {
                        eprintln!("spanalloc: {p}");
                    }
                    if problems.0.is_empty() {
                        ExitCode::SUCCESS
                    } else {
                        ExitCode::from(1)
                    }
                }
                Err(e) => {
                    eprintln!("spanalloc: {e:#}");
                    ExitCode::from(1)
                }
            }
        }
    }
}

fn compare_command(args: &CompareArgs) -> Result<ExitCode, InputError> {
    let thresholds = if args.thresholds.exists() || args.thresholds != std::path::Path::new("reports/thresholds.toml") {
        Thresholds::load(&args.thresholds)?
    } else {
        Thresholds::default()
    };
    let baseline_file = baseline::resolve(&args.baseline, &args.baselines);
    let baseline = load_results(&baseline_file)?;
    let current = load_results(&args.current)?;
    let labels = (args.baseline.as_str(), &*args.current.to_string_lossy());
    let comparison = compare::compare(&baseline, &current, &thresholds, labels);
    print!("{}", compare::render::render(&comparison, args.format));
    Ok(if comparison.regressions == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

fn report_command(dir: &std::path::Path, sources: &spanalloc::report::Sources) -> ExitCode {
    let inputs = match spanalloc::report::gather(dir, sources) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("spanalloc: {e}");
            return ExitCode::from(2);
        }
    };
    match spanalloc::report::write(dir, &inputs) {
        Ok(index) => {
            println!("report: {}", index.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("spanalloc: cannot write the report in {}: {e}", dir.display());
            ExitCode::from(1)
        }
    }
}

fn or_input_error(r: Result<ExitCode, InputError>) -> ExitCode {
    r.unwrap_or_else(|e| {
        eprintln!("spanalloc: {e}");
        ExitCode::from(2)
    })
}

fn usage_error(e: &UsageError) -> ExitCode {
    eprintln!("spanalloc: {e}");
    ExitCode::from(2)
}

fn measure(m: &MeasureArgs) -> ExitCode {
    let Some(scenario) = scenarios::by_name(&m.scenario) else {
        return usage_error(&UsageError(format!("unknown scenario '{}'", m.scenario)));
    };
    let cfg = match m.workload.config(m.trace_state) {
        Ok(c) => c,
        Err(e) => return usage_error(&e),
    };
    let out = child::measure(scenario, &cfg, m.pass, m.dhat_file.as_deref());
    match serde_json::to_string(&out) {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("spanalloc: cannot encode the result: {e}");
            ExitCode::from(1)
        }
    }
}
