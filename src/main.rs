//! The `gongkai` command: argument parsing, config loading and exit codes. All work is in the
//! library.

use clap::{Args, Parser, Subcommand};

// glibc malloc was 12% of the profile (many small cell strings freed across threads).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use gongkai::config::Config;
use gongkai::dataset::run::{self, Mode, Options, UsageError};
use std::path::PathBuf;
use std::process::ExitCode;

/// Turn a dump of 政府信息公开工作年度报告 into a Hive-partitioned Parquet dataset.
///
/// Reads every report under INPUT (txt, html, md, docx, pdf, and the text pdftotext makes of a
/// PDF; UTF-8, GB18030, Big5, UTF-16; simplified or traditional), extracts the tables of
/// sections 二, 三 and 四 into canonical cells, checks the
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
    /// Rewrite each partition of many small files (left by yearly appends) into as few files as
    /// the file size bound allows: same rows, atomic, under the dataset's lock.
    Compact {
        /// The dataset directory [default: `output` from the config]
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// One row per report: the documents columns plus one column per canonical cell
    /// (s3__new__total, ...), the value or NULL. Format by extension: .parquet or .csv.
    ///
    /// Example: gongkai export --to reports.csv
    Export {
        /// The dataset directory [default: `output` from the config]
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// The file to write (.parquet or .csv); written beside and renamed when complete
        #[arg(long, value_name = "FILE")]
        to: PathBuf,
    },
    /// An overview page (one self-contained HTML file with plots): coverage by province and
    /// year, requests and grant rates, documents by status and problem, failed checks, panel
    /// breaks.
    Report {
        /// The dataset directory [default: `output` from the config]
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// The HTML file to write
        #[arg(long, value_name = "FILE", default_value = "report.html")]
        to: PathBuf,
    },
    /// Write a synthetic dump with known truth (DIR and DIR.truth.jsonl beside it).
    Synth {
        /// Number of reports
        #[arg(long, default_value_t = 1000)]
        docs: usize,
        /// Random seed (same seed, same dump)
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Where to write the dump
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Only glued page text (tags stripped with no separator), both forms
        #[arg(long)]
        glued: bool,
        /// Only HTML report pages inside 100-350 KB of site chrome (the benchmark's real pages)
        #[arg(long, conflicts_with = "glued")]
        site_pages: bool,
        /// Panels: 96 agencies reporting every year 2019-2025 with consistent carry-overs and
        /// injected breaks (gaps, duplicates, carry-overs that do not match) listed in the truth;
        /// about 680 reports (at most --docs)
        #[arg(long, conflicts_with_all = ["glued", "site_pages"])]
        panel: bool,
    },
    /// Generate reports in memory, run the pipeline on them and compare every cell with the truth.
    Accuracy {
        /// Number of reports
        #[arg(long, default_value_t = 2000)]
        docs: usize,
        /// Random seed
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Print the documents whose cells differ from the truth (at most N)
        #[arg(long, default_value_t = 0, value_name = "N")]
        show: usize,
        /// Only glued page text (tags stripped with no separator), both forms
        #[arg(long)]
        glued: bool,
        /// Only HTML report pages inside 100-350 KB of site chrome
        #[arg(long, conflicts_with = "glued")]
        site_pages: bool,
    },
    /// Write the decoded text (UTF-8, before normalization) of every report under INPUT into one
    /// file: the input of the benchmark's `opencc -c t2s.json` baseline.
    Text {
        #[arg(long, value_name = "PATH")]
        input: PathBuf,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// The benchmark's floor: walk, read and hash every file under INPUT and write as many rows
    /// as a build would (one report's cells per file, processed once), parsing nothing.
    #[command(hide = true)]
    Floor {
        #[arg(long, value_name = "PATH")]
        input: PathBuf,
        /// A scratch directory for the Parquet files
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
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
    /// Worker threads, 1 to 1024 [config: threads; default one per core]
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// No progress bar and no summary line (warnings are still printed)
    #[arg(long, short)]
    quiet: bool,
    /// build: replace a dataset that holds reports even when the new one holds none (by default
    /// such a build is refused: an empty or wrong --input must not wipe a dataset)
    #[arg(long)]
    force: bool,
}

/// The synthetic reports `synth` and `accuracy` draw: the mix, glued text only, or report pages
/// inside site chrome.
fn generator(seed: u64, glued: bool, site_pages: bool) -> gongkai::synth::Generator {
    if glued {
        gongkai::synth::Generator::glued(seed)
    } else if site_pages {
        gongkai::synth::Generator::site_pages(seed)
    } else {
        gongkai::synth::Generator::new(seed)
    }
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
        Command::Synth {
            docs,
            seed,
            out,
            glued,
            site_pages,
            panel,
        } => {
            let occupied = std::fs::read_dir(&out).map(|mut d| d.next().is_some());
            if occupied.unwrap_or(out.exists()) {
                eprintln!(
                    "gongkai: {}: exists and is not an empty directory; synth writes a new dump only",
                    out.display()
                );
                return ExitCode::from(2);
            }
            let generator = if panel {
                gongkai::synth::Generator::panel(seed, true)
            } else {
                generator(seed, glued, site_pages)
            };
            // A panel is its schedule: the reports of every agency and year, no others.
            let docs = if panel {
                docs.min(generator.panel_len())
            } else {
                docs
            };
            return match gongkai::synth::write_dump(&out, docs, generator) {
                Ok(bytes) => {
                    eprintln!(
                        "gongkai: wrote {docs} reports ({:.1} MB) to {} and their truth beside it",
                        bytes as f64 / 1e6,
                        out.display()
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("gongkai: writing {}: {e}", out.display());
                    ExitCode::from(1)
                }
            };
        }
        Command::Floor { input, out } => {
            return match gongkai::dataset::run::floor(&input, &out) {
                Ok((files, bytes)) => {
                    eprintln!(
                        "gongkai: floor over {files} files ({:.1} MB)",
                        bytes as f64 / 1e6
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("gongkai: {e:#}");
                    ExitCode::from(1)
                }
            };
        }
        Command::Text { input, out } => {
            return match gongkai::dataset::run::decoded_text(&input, &out) {
                Ok(bytes) => {
                    eprintln!(
                        "gongkai: wrote {:.1} MB of decoded text to {}",
                        bytes as f64 / 1e6,
                        out.display()
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("gongkai: {e:#}");
                    ExitCode::from(exit_code(&e))
                }
            };
        }
        Command::Accuracy {
            docs,
            seed,
            show,
            glued,
            site_pages,
        } => {
            let bar = gongkai::dataset::run::progress_bar(
                docs as u64,
                true,
                "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} {msg} eta {eta}",
            );
            bar.set_message("documents");
            let generator = generator(seed, glued, site_pages);
            let (score, differing) = gongkai::synth::accuracy(generator, docs, show, &|done| {
                bar.set_position(done as u64)
            });
            bar.finish_and_clear();
            for (truth, p) in &differing {
                let mut one = gongkai::synth::Score::default();
                one.add(truth, p);
                println!("{} layout={} encoding={:?} traditional={} problems={:?} wrong={} invented={} missed={} flagged={}/{}",
                    truth.path, truth.layout, truth.encoding, truth.traditional,
                    p.problems.iter().map(|x| x.code()).collect::<Vec<_>>(), one.wrong, one.invented, one.missed, one.flagged, one.must_flag);
            }
            println!("{}", score.report());
            return if score.all.invented == 0 && score.all.wrong == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            };
        }
        Command::Build(a) => (Mode::Build, a),
        Command::Append(a) => (Mode::Append, a),
        Command::Compact { out } => {
            let out = out.unwrap_or(config.output.clone());
            return match gongkai::dataset::compact::compact(&out, &config) {
                Ok(c) if c.partitions == 0 => {
                    eprintln!(
                        "gongkai: {}: every partition is one file; nothing to compact",
                        out.display()
                    );
                    ExitCode::SUCCESS
                }
                Ok(c) => {
                    eprintln!(
                        "gongkai: compacted {} partitions of {}: {} files into {} ({} rows)",
                        c.partitions,
                        out.display(),
                        c.files_before,
                        c.files_after,
                        c.rows
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("gongkai: {e:#}");
                    ExitCode::from(exit_code(&e))
                }
            };
        }
        Command::Export { out, to } => {
            let out = out.unwrap_or(config.output.clone());
            return match gongkai::analytics::export::export(&out, &to) {
                Ok(e) => {
                    eprintln!(
                        "gongkai: wrote {} rows × {} columns to {}",
                        e.rows,
                        e.columns,
                        to.display()
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("gongkai: {e:#}");
                    ExitCode::from(2)
                }
            };
        }
        Command::Report { out, to } => {
            let out = out.unwrap_or(config.output.clone());
            return match gongkai::analytics::report::report(&out, &to) {
                Ok(()) => {
                    eprintln!("gongkai: wrote {}", to.display());
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("gongkai: {e:#}");
                    ExitCode::from(2)
                }
            };
        }
        Command::Status { out } => {
            let out = out.unwrap_or(config.output);
            return match gongkai::dataset::status::status(&out) {
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
        config.threads = Some(t);
    }
    if let Err(e) = config.validate("command line") {
        eprintln!("gongkai: {e}");
        return ExitCode::from(2);
    }
    let opts = Options {
        config,
        mode,
        progress: !args.quiet,
        force: args.force,
    };
    match run::run(&opts) {
        Ok(summary) => {
            for w in summary.warnings() {
                eprintln!("{w}");
            }
            if !args.quiet {
                eprintln!("{}", summary.line(&opts.config.output));
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("gongkai: {e:#}");
            ExitCode::from(exit_code(&e))
        }
    }
}

/// 2 or 3 for what the user can fix (see `--help`), 1 for a failed run.
fn exit_code(e: &anyhow::Error) -> u8 {
    e.downcast_ref::<UsageError>()
        .map(|u| u.code as u8)
        .unwrap_or(1)
}
