//! The `gongkai` command: argument parsing, config loading and exit codes. All work is in the
//! library.

use clap::{Args, Parser, Subcommand};
use gongkai::config::Config;
use gongkai::run::{self, Mode, Options, UsageError};
use std::path::PathBuf;
use std::process::ExitCode;

/// Turn a dump of 政府信息公开工作年度报告 into a Hive-partitioned Parquet dataset.
///
/// Reads every report under INPUT (txt, html, md; UTF-8, GB18030, Big5, UTF-16; simplified or
/// traditional), extracts the tables of sections 二, 三 and 四 into canonical cells, checks the
/// arithmetic the forms promise and writes documents/, cells/ and checks/ under OUT, one
/// year=YYYY directory per report year.
///
/// Query it with DuckDB:
///   SELECT item, metric, sum(value) FROM read_parquet('out/cells/**/*.parquet', hive_partitioning=true) GROUP BY ALL;
///
/// Exit codes: 0 done; 1 the run failed (I/O error, nothing changed); 2 bad arguments,
/// configuration, input or output (nothing changed); 3 another run holds the dataset's lock.
#[derive(Parser)]
#[command(name = "gongkai", version, verbatim_doc_comment)]
struct Cli {
    /// Configuration file [default: ./pipeline.toml when present]
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the dataset from a dump, replacing any previous dataset atomically.
    ///
    /// With no flags it reads the sample dump shipped in data/sample and writes out/.
    Build(RunArgs),
    /// Add the documents of a new dump that the dataset does not hold yet (by content hash).
    ///
    /// Existing files are never rewritten; running the same append twice changes nothing.
    Append(RunArgs),
    /// Show what a dataset holds: runs, years, documents by status and form, failed checks.
    Status {
        /// The dataset directory [default: `output` from the config]
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
}

#[derive(Args)]
struct RunArgs {
    /// The dump: a directory (searched recursively) or one file [config: input]
    #[arg(long, value_name = "PATH")]
    input: Option<PathBuf>,
    /// The dataset directory [config: output]
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Worker threads, 0 = one per core [config: threads]
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// No progress bar and no summary line
    #[arg(long, short)]
    quiet: bool,
}

fn load_config(path: Option<&PathBuf>) -> Result<Config, String> {
    match path {
        Some(p) => Config::load(p).map_err(|e| e.0),
        None if std::path::Path::new("pipeline.toml").exists() => {
            Config::load("pipeline.toml".as_ref()).map_err(|e| e.0)
        }
        None => Ok(Config::default()),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut config = match load_config(cli.config.as_ref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("gongkai: {e}");
            return ExitCode::from(2);
        }
    };
    let (mode, args) = match cli.command {
        Command::Build(a) => (Mode::Build, a),
        Command::Append(a) => (Mode::Append, a),
        Command::Status { out } => {
            let out = out.unwrap_or(config.output);
            return match gongkai::status::status(&out) {
                Ok(text) => {
                    print!("{text}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("gongkai: {e:#}");
                    ExitCode::from(2)
                }
            };
        }
    };
    if let Some(i) = args.input {
        config.input = i;
    }
    if let Some(o) = args.out {
        config.output = o;
    }
    if let Some(t) = args.threads {
        config.threads = t;
    }
    if let Err(e) = config.validate("command line") {
        eprintln!("gongkai: {e}");
        return ExitCode::from(2);
    }
    let opts = Options {
        config,
        mode,
        progress: !args.quiet,
    };
    match run::run(&opts) {
        Ok(summary) => {
            if !args.quiet {
                eprintln!("{}", summary.line(&opts.config.output));
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            let code = e.downcast_ref::<UsageError>().map(|u| u.code).unwrap_or(1);
            eprintln!("gongkai: {e:#}");
            ExitCode::from(code as u8)
        }
    }
}
