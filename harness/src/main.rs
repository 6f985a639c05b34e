//! The `spanalloc` binary. Exit status: 0 fine, 1 a scenario failed or a check disagreed,
//! 2 bad input.

use std::process::ExitCode;

use clap::Parser;
use spanalloc::cli::{Cli, Command, MeasureArgs, UsageError};
use spanalloc::{child, run, scenarios};

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
        Command::Run(args) => {
            let selected = match run::validate(&args) {
                Ok(s) => s,
                Err(e) => return usage_error(&e),
            };
            match run::run(&args, &selected) {
                Ok((results, problems)) => {
                    run::print_summary(&results);
                    println!("results: {}", args.out.join("results.json").display());
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
