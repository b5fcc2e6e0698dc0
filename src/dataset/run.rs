//! The I/O around `process`: walk the dump, hash, process in bounded parallel batches, write,
//! commit. `build` replaces the dataset atomically; `append` adds only unseen documents.

use crate::config::Config;
use crate::dataset::panel;
use crate::dataset::sink::{self, DatasetWriter, DocRecord, FileEntry, Manifest, RunRecord, Table};
use crate::model::{Problem, Processed, Status};
use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// An error the user caused (bad config, bad path, lock held): exit code 2, or 3 for the lock.
#[derive(Debug)]
pub struct UsageError {
    pub message: String,
    pub code: i32,
}
impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}
impl std::error::Error for UsageError {}

pub(crate) fn usage(message: String) -> anyhow::Error {
    UsageError { message, code: 2 }.into()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Build,
    Append,
}

#[derive(Debug, Clone)]
pub struct Options {
    pub config: Config,
    pub mode: Mode,
    /// Show a progress bar (only drawn when stderr is a terminal).
    pub progress: bool,
    /// Let a build replace a dataset holding reports with one holding none.
    pub force: bool,
}

/// What a run did, for the summary line and tests.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub run_id: String,
    pub inputs_seen: u64,
    pub documents_written: u64,
    pub duplicates: u64,
    pub already_present: u64,
    pub by_status: BTreeMap<String, u64>,
    pub by_form: BTreeMap<String, u64>,
    pub cells: u64,
    pub checks_failed: u64,
    /// Failed panel checks in the whole dataset after the run (they span runs).
    pub panel_checks_failed: u64,
    pub bytes: u64,
    pub seconds: f64,
    pub committed: bool,
    pub skipped_dirs: Vec<String>,
}

/// One input file, as [`Inputs`] holds it.
#[derive(Clone, Copy)]
struct InputFile<'a> {
    rel: &'a str,
    /// The path when `root/rel` does not name the file (a name that is not UTF-8).
    abs: Option<&'a Path>,
    size: u64,
    /// Set when the file cannot be read at all.
    error: Option<Problem>,
}

impl InputFile<'_> {
    fn path(&self, root: &Path) -> PathBuf {
        match self.abs {
            Some(p) => p.to_path_buf(),
            None => root.join(self.rel),
        }
    }
}

/// The input files of a run. A dump holds millions of files and a run keeps them all (sorted,
/// and known before any is written, to find identical copies): each costs its path's bytes and
/// 16 more here, where a struct and a `String` per file cost about 90.
#[derive(Default)]
struct Inputs {
    /// Every path relative to the root, one after another: file i's ends at `ends[i]`.
    paths: String,
    ends: Vec<usize>,
    sizes: Vec<u64>,
    /// The few files with more to say: an own path, a problem.
    unusual: HashMap<usize, (Option<Box<Path>>, Option<Problem>)>,
}

impl Inputs {
    fn push(&mut self, rel: &str, abs: Option<Box<Path>>, size: u64, error: Option<Problem>) {
        if abs.is_some() || error.is_some() {
            self.unusual.insert(self.ends.len(), (abs, error));
        }
        self.paths.push_str(rel);
        self.ends.push(self.paths.len());
        self.sizes.push(size);
    }

    fn len(&self) -> usize {
        self.ends.len()
    }

    fn rel(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.paths[start..self.ends[i]]
    }

    fn get(&self, i: usize) -> InputFile<'_> {
        let unusual = self.unusual.get(&i);
        InputFile {
            rel: self.rel(i),
            abs: unusual.and_then(|u| u.0.as_deref()),
            size: self.sizes[i],
            error: unusual.and_then(|u| u.1),
        }
    }

    fn iter(&self) -> impl Iterator<Item = InputFile<'_>> {
        (0..self.len()).map(|i| self.get(i))
    }

    /// The same files in path order.
    fn sorted(mut self) -> Inputs {
        let mut order: Vec<usize> = (0..self.len()).collect();
        order.sort_by(|&a, &b| self.rel(a).cmp(self.rel(b)));
        let mut out = Inputs {
            paths: String::with_capacity(self.paths.len()),
            ..Default::default()
        };
        for i in order {
            let (abs, error) = self.unusual.remove(&i).unwrap_or_default();
            out.push(self.rel(i), abs, self.sizes[i], error);
        }
        out
    }
}

/// The file's own path, when `root/rel` would not find it.
fn own_path(root: &Path, rel: &str, path: &Path) -> Option<Box<Path>> {
    (root.join(rel) != path).then(|| path.into())
}

/// Where the output dataset sits inside the input tree (paths relative to the input), so that a
/// run never reads its own output, lock or staging as reports.
#[derive(Debug)]
struct OwnTree {
    out: String,
    lock: String,
    staging_prefix: String,
}

impl OwnTree {
    fn contains(&self, rel: &str) -> bool {
        rel == self.out || rel == self.lock || rel.starts_with(&self.staging_prefix)
    }
}

/// The absolute path `path` names, or would name once created (its parent resolved).
fn canonical_target(path: &Path) -> PathBuf {
    if let Ok(p) = path.canonicalize() {
        return p;
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    match (parent.canonicalize(), path.file_name()) {
        (Ok(p), Some(name)) => p.join(name),
        _ => path.to_path_buf(),
    }
}

/// Refuses an input inside the output (a run would read its own dataset); finds the output inside
/// the input, to be skipped.
fn own_tree_in_input(input: &Path, out: &Path) -> Result<Option<OwnTree>> {
    let input = input
        .canonicalize()
        .map_err(|e| usage(format!("input {}: {e}", input.display())))?;
    let canonical_out = canonical_target(out);
    if input.starts_with(&canonical_out) {
        return Err(usage(format!(
            "input {} is inside the output dataset {}: a run would read its own output; choose an input outside it",
            input.display(),
            out.display()
        )));
    }
    let Ok(rel) = canonical_out.strip_prefix(&input) else {
        return Ok(None);
    };
    let rel_parent = rel
        .parent()
        .map(|p| p.to_string_lossy().into_owned())
        .filter(|p| !p.is_empty())
        .map(|p| p + "/")
        .unwrap_or_default();
    let name = out.file_name().unwrap_or_default().to_string_lossy();
    Ok(Some(OwnTree {
        out: rel.to_string_lossy().into_owned(),
        lock: format!("{rel_parent}.{name}.lock"),
        staging_prefix: format!("{rel_parent}.{name}.staging-"),
    }))
}

/// Files in a fixed order (byte order of the path components). Symlinked directories are not
/// followed (a loop would never end), nor is the output dataset when it sits inside the input;
/// both are listed in `skipped`.
fn walk(root: &Path, own: Option<&OwnTree>, skipped: &mut Vec<String>) -> Result<Inputs> {
    let meta =
        std::fs::metadata(root).map_err(|e| usage(format!("input {}: {e}", root.display())))?;
    if meta.is_file() {
        let rel = root
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut one = Inputs::default();
        one.push(&rel, Some(root.into()), meta.len(), None);
        return Ok(one);
    }
    let mut out = Inputs::default();
    let mut stack = vec![(root.to_path_buf(), String::new())];
    while let Some((dir, prefix)) = stack.pop() {
        let mut entries: Vec<_> = match std::fs::read_dir(&dir) {
            Ok(rd) => rd.filter_map(|e| e.ok()).collect(),
            Err(e) => {
                if dir == root {
                    return Err(usage(format!("input {}: {e}", root.display())));
                }
                skipped.push(format!("{prefix} ({e})"));
                continue;
            }
        };
        entries.sort_by_key(|e| e.file_name());
        let mut subdirs = Vec::new();
        for e in entries {
            let name = e.file_name().to_string_lossy().into_owned();
            let rel = if prefix.is_empty() {
                name
            } else {
                format!("{prefix}/{name}")
            };
            if own.is_some_and(|o| o.contains(&rel)) {
                if own.is_some_and(|o| o.out == rel) {
                    skipped.push(format!(
                        "{rel} (the output dataset, with its lock and staging files)"
                    ));
                }
                continue;
            }
            let path = e.path();
            let own = own_path(root, &rel, &path);
            let Ok(ft) = e.file_type() else {
                out.push(&rel, own, 0, Some(Problem::ReadError));
                continue;
            };
            if ft.is_dir() {
                subdirs.push((path, rel));
            } else if ft.is_symlink() {
                match std::fs::metadata(&path) {
                    Ok(m) if m.is_dir() => skipped.push(format!("{rel} (symlinked directory)")),
                    Ok(m) if !m.is_file() => out.push(&rel, own, 0, Some(Problem::NotARegularFile)),
                    Ok(m) => out.push(&rel, own, m.len(), None),
                    Err(_) => out.push(&rel, own, 0, Some(Problem::ReadError)),
                }
            } else if !ft.is_file() {
                // FIFOs, sockets, devices: reading could block forever or never end.
                out.push(&rel, own, 0, Some(Problem::NotARegularFile));
            } else {
                let size = e.metadata().map(|m| m.len()).unwrap_or(0);
                out.push(&rel, own, size, None);
            }
        }
        // Depth-first in name order: push in reverse so the smallest name is visited first.
        stack.extend(subdirs.into_iter().rev());
    }
    Ok(out.sorted())
}

/// A document id: the first 128 bits of the BLAKE3 hash of the raw bytes (hex in the output).
type DocId = [u8; 16];

fn hex_id(hash: blake3::Hash) -> DocId {
    hash.as_bytes()[..16]
        .try_into()
        .expect("a BLAKE3 hash has 32 bytes")
}

fn to_hex(id: &DocId) -> String {
    id.iter().map(|b| format!("{b:02x}")).collect()
}

fn from_hex(s: &str) -> Option<DocId> {
    let mut id = [0u8; 16];
    if s.len() != 32 {
        return None;
    }
    for (k, byte) in id.iter_mut().enumerate() {
        *byte = u8::from_str_radix(s.get(2 * k..2 * k + 2)?, 16).ok()?;
    }
    Some(id)
}

/// The id of a file whose content cannot be read: derived from its path, so that it still has a
/// row, and so that the row can be found again when the same path reads later.
fn unreadable_id(rel: &str) -> DocId {
    hex_id(blake3::hash(format!("unreadable\0{rel}").as_bytes()))
}

/// Content hash of a file; files that cannot be read get [`unreadable_id`].
fn hash_file(root: &Path, f: &InputFile) -> (DocId, Option<Problem>) {
    if let Some(p) = f.error {
        return (unreadable_id(f.rel), Some(p));
    }
    let mut h = blake3::Hasher::new();
    match std::fs::File::open(f.path(root)).and_then(|file| h.update_reader(file).map(|_| ())) {
        Ok(()) => (hex_id(h.finalize()), None),
        Err(_) => (unreadable_id(f.rel), Some(Problem::ReadError)),
    }
}

pub fn new_run_id() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    format!(
        "{}-{:04x}",
        utc(now.as_secs()).replace(['-', ':'], ""),
        (now.subsec_nanos() ^ std::process::id()) & 0xffff
    )
}

/// `YYYY-MM-DDTHH:MM:SSZ` without a date library (days-to-civil, Howard Hinnant's algorithm).
pub fn utc(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + (m <= 2) as i64;
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

pub fn now_utc() -> String {
    utc(std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs())
}

/// An exclusive lock beside the output (`.out.lock`): an OS lock (`flock`) on that file, which
/// the kernel releases when the process ends, however it ends. The file itself is never removed:
/// removing it would let a second run lock a new file while a third still holds the old one.
/// Its content (the holder's pid) is for people only; no decision reads it.
pub struct Lock {
    _file: std::fs::File,
}

impl Lock {
    pub fn acquire(out: &Path) -> Result<Lock> {
        use std::io::Write;
        let path = sink::sibling(out, "lock");
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| usage(format!("cannot open the lock file {}: {e}", path.display())))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(UsageError {
                    message: format!(
                        "{}: another gongkai run holds the lock {}; wait for it to finish",
                        out.display(),
                        path.display()
                    ),
                    code: 3,
                }
                .into())
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(usage(format!("cannot lock {}: {e}", path.display())))
            }
        }
        let _ = file.set_len(0);
        let _ = writeln!(file, "{}", std::process::id());
        Ok(Lock { _file: file })
    }
}

/// Check the output location before any work: its parent must exist and be writable, and an
/// existing directory must be a gongkai dataset (never replace someone's other data).
fn check_output(out: &Path, mode: Mode) -> Result<Option<Manifest>> {
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !parent.is_dir() {
        return Err(usage(format!(
            "output {}: parent directory {} does not exist",
            out.display(),
            parent.display()
        )));
    }
    let probe = parent.join(format!(".gongkai-write-test-{}", std::process::id()));
    std::fs::write(&probe, b"").map_err(|e| {
        usage(format!(
            "output {}: cannot write in {}: {e}",
            out.display(),
            parent.display()
        ))
    })?;
    let _ = std::fs::remove_file(&probe);
    let manifest = if out.exists() {
        if !out.is_dir() {
            return Err(usage(format!(
                "output {}: exists and is not a directory",
                out.display()
            )));
        }
        let m =
            Manifest::read(out).map_err(|e| usage(format!("output {}: {e:#}", out.display())))?;
        let empty = std::fs::read_dir(out)
            .map(|mut d| d.next().is_none())
            .unwrap_or(false);
        if m.is_none() && !empty {
            return Err(usage(format!(
                "output {}: exists and is not a gongkai dataset (no {}); refusing to replace it",
                out.display(),
                sink::MANIFEST
            )));
        }
        m
    } else {
        None
    };
    if mode == Mode::Append && manifest.is_none() {
        return Err(usage(format!(
            "output {}: no dataset to append to; run `gongkai build` first",
            out.display()
        )));
    }
    if let (Mode::Append, Some(m)) = (mode, &manifest) {
        refuse_other_format(out, m)?;
    }
    Ok(manifest)
}

/// Only a rebuild may change a dataset of another format: files of two formats would not read
/// as one table.
pub(crate) fn refuse_other_format(out: &Path, m: &Manifest) -> Result<()> {
    if m.format != sink::FORMAT {
        return Err(usage(format!(
            "output {}: dataset format {} was written by another gongkai version (this one writes {}); rebuild it with `gongkai build`",
            out.display(),
            m.format,
            sink::FORMAT
        )));
    }
    Ok(())
}

/// doc_ids already in a dataset (from its documents files), sorted: sixteen bytes each, where a
/// hash set cost about thirty.
fn existing_doc_ids(out: &Path, manifest: &Manifest) -> Result<Vec<DocId>> {
    use arrow_array::cast::AsArray;
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    use parquet::arrow::ProjectionMask;
    let mut ids = Vec::new();
    for f in manifest.files.iter().filter(|f| f.table == "documents") {
        let path = out.join(&f.path);
        let file =
            std::fs::File::open(&path).with_context(|| format!("reading {}", path.display()))?;
        let builder = ParquetRecordBatchReaderBuilder::try_new(file)?;
        let mask = ProjectionMask::roots(builder.parquet_schema(), [0]);
        for batch in builder.with_projection(mask).build()? {
            let batch = batch?;
            ids.extend(
                batch
                    .column(0)
                    .as_string::<i32>()
                    .iter()
                    .flatten()
                    .filter_map(from_hex),
            );
        }
    }
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

pub fn run(opts: &Options) -> Result<Summary> {
    let cfg = &opts.config;
    let started = Instant::now();
    let started_at = now_utc();
    if !cfg.input.exists() {
        return Err(usage(format!(
            "input {}: no such file or directory",
            cfg.input.display()
        )));
    }
    let out = cfg.output.clone();
    let own_tree = own_tree_in_input(&cfg.input, &out)?;
    check_output(&out, opts.mode)?;
    let _lock = Lock::acquire(&out)?;
    sink::remove_stale_staging(&out);
    // Re-read under the lock: another run may have committed meanwhile.
    let previous = check_output(&out, opts.mode)?;

    let threads = cfg.threads.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    });
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .context("starting worker threads")?;
    let mut summary = Summary {
        run_id: new_run_id(),
        ..Default::default()
    };
    let files = walk(&cfg.input, own_tree.as_ref(), &mut summary.skipped_dirs)?;
    summary.inputs_seen = files.len() as u64;

    // Pass 1: content hashes, to find identical copies before anything is written.
    let hashes: Vec<(DocId, Option<Problem>)> = pool.install(|| {
        (0..files.len())
            .into_par_iter()
            .map(|i| hash_file(&cfg.input, &files.get(i)))
            .collect()
    });
    // The files in order of their hash (then path): identical copies side by side, the first
    // in path order of each is the one processed. Four bytes a file, where a map from hash to
    // file cost about forty.
    let mut first = vec![false; files.len()];
    let mut dups: HashMap<usize, Vec<String>> = HashMap::new();
    {
        let mut by_hash: Vec<u32> = (0..files.len() as u32).collect();
        by_hash.sort_unstable_by_key(|&i| (hashes[i as usize].0, i));
        for copies in by_hash.chunk_by(|&a, &b| hashes[a as usize].0 == hashes[b as usize].0) {
            let (head, rest) = (copies[0] as usize, &copies[1..]);
            first[head] = true;
            if !rest.is_empty() {
                let paths = rest.iter().map(|&j| files.rel(j as usize).to_string());
                dups.insert(head, paths.collect());
            }
        }
    }
    let n_first = first.iter().filter(|&&f| f).count();
    summary.duplicates = (files.len() - n_first) as u64;
    let known = match (&previous, opts.mode) {
        (Some(m), Mode::Append) => existing_doc_ids(&out, m)?,
        _ => Vec::new(),
    };
    let is_known = |id: &DocId| known.binary_search(id).is_ok();
    let todo: Vec<u32> = (0..files.len() as u32)
        .filter(|&i| first[i as usize] && !is_known(&hashes[i as usize].0))
        .collect();
    summary.already_present = (n_first - todo.len()) as u64;
    // A path that could not be read before and reads now: its new row supersedes the old
    // `failed` one instead of standing beside it.
    let superseded: HashSet<String> = todo
        .iter()
        .map(|&i| i as usize)
        .filter(|&i| hashes[i].1.is_none())
        .map(|i| unreadable_id(files.rel(i)))
        .filter(is_known)
        .map(|id| to_hex(&id))
        .collect();
    // Only `todo`, `hashes` and `dups` are needed from here on: per-file memory is what still
    // grows with the dump, so give back what can be.
    drop(first);
    drop(known);

    if opts.mode == Mode::Append && todo.is_empty() {
        summary.seconds = started.elapsed().as_secs_f64();
        return Ok(summary);
    }

    let staging = sink::staging_dir(&out, &summary.run_id);
    let result = (|| -> Result<(Vec<FileEntry>, Vec<String>)> {
        std::fs::create_dir_all(&staging)
            .with_context(|| format!("creating {}", staging.display()))?;
        if previous.is_some() {
            // An append keeps every file (it only adds); a build keeps the user's files and
            // replaces gongkai's own.
            let keep = |name: &std::ffi::OsStr| match opts.mode {
                Mode::Append => name != sink::MANIFEST,
                Mode::Build => !sink::owned(name),
            };
            sink::link_tree(&out, &staging, &keep)?;
        }
        let mut writer = DatasetWriter::for_config(&staging, &summary.run_id, cfg)?;
        // Failed rows are in year 0 (a document that cannot be read has no year).
        let mut replaced = Vec::new();
        if let (Some(m), false) = (&previous, superseded.is_empty()) {
            for f in m
                .files
                .iter()
                .filter(|f| f.table == "documents" && f.year == 0)
            {
                if writer.copy_documents_without(f, &superseded)? {
                    replaced.push(f.path.clone());
                }
            }
        }
        let total_bytes: u64 = todo.iter().map(|&i| files.sizes[i as usize]).sum();
        let bar = progress_bar(
            total_bytes,
            opts.progress,
            "{spinner} [{elapsed_precise}] {wide_bar} {msg} {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} eta {eta}",
        );
        let max_bytes = cfg.max_file_mb * 1024 * 1024;
        // Pass 2: bounded batches (by count and by bytes) processed in parallel; a writer thread
        // writes batch N while batch N+1 is processed. The channel holds two batches at most,
        // which bounds memory.
        let batch_bytes = (64u64 << 20).max(max_bytes);
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<DocRecord>>(2);
        let written = std::thread::scope(|scope| -> Result<Vec<FileEntry>> {
            let summary = &mut summary;
            let writing = scope.spawn(move || -> Result<Vec<FileEntry>> {
                let mut writer = writer;
                for batch in rx {
                    for doc in batch {
                        summary.bytes += doc.bytes;
                        summary.documents_written += 1;
                        *summary
                            .by_status
                            .entry(doc.processed.status().as_str().to_string())
                            .or_default() += 1;
                        let form = doc.processed.info.form_version.unwrap_or_default().as_str();
                        *summary.by_form.entry(form.to_string()).or_default() += 1;
                        summary.cells += doc.processed.cells.len() as u64;
                        summary.checks_failed += doc.processed.n_checks_failed() as u64;
                        writer.write(doc)?;
                    }
                }
                writer.finish()
            });
            let mut start = 0;
            while start < todo.len() {
                let mut end = start;
                let mut bytes = 0;
                while end < todo.len()
                    && end - start < cfg.batch_docs
                    && (end == start || bytes + files.sizes[todo[end] as usize] <= batch_bytes)
                {
                    bytes += files.sizes[todo[end] as usize];
                    end += 1;
                }
                let batch: Vec<DocRecord> = pool.install(|| {
                    todo[start..end]
                        .par_iter()
                        .map(|&i| {
                            let i = i as usize;
                            let f = files.get(i);
                            let (id, err) = &hashes[i];
                            let processed = match err {
                                Some(p) => Processed::failed(*p),
                                None => read_and_process(&cfg.input, &f, cfg, max_bytes),
                            };
                            bar.inc(f.size);
                            DocRecord {
                                doc_id: to_hex(id),
                                source_path: f.rel.to_string(),
                                duplicate_paths: dups.get(&i).cloned().unwrap_or_default(),
                                bytes: f.size,
                                processed,
                            }
                        })
                        .collect()
                });
                bar.set_message(format!("{end}/{} files", todo.len()));
                if tx.send(batch).is_err() {
                    // The writer stopped on an error; it is reported below.
                    break;
                }
                start = end;
            }
            drop(tx);
            bar.finish_and_clear();
            writing
                .join()
                .map_err(|_| anyhow::anyhow!("the writer thread panicked"))?
        })?;
        Ok((written, replaced))
    })();
    let (new_files, replaced) = match result {
        Ok(f) => f,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(e);
        }
    };
    if let (Some(m), Mode::Build, false) = (&previous, opts.mode, opts.force) {
        let (docs, cells) = m.totals();
        if cells > 0 && summary.cells == 0 {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(usage(format!(
                "refusing to replace {} ({docs} documents, {cells} cells) with {} documents and no cells read from {}; check --input, or pass --force to replace it anyway",
                out.display(),
                summary.documents_written,
                cfg.input.display()
            )));
        }
    }

    let mut manifest = match (previous, opts.mode) {
        (Some(m), Mode::Append) => m,
        _ => Manifest {
            format: sink::FORMAT,
            ..Default::default()
        },
    };
    manifest.runs.push(RunRecord {
        run_id: summary.run_id.clone(),
        kind: match opts.mode {
            Mode::Build => "build".into(),
            Mode::Append => "append".into(),
        },
        started: started_at,
        finished: now_utc(),
        input: cfg.input.display().to_string(),
        inputs_seen: summary.inputs_seen,
        documents_written: summary.documents_written,
        by_status: summary.by_status.clone(),
        by_form: summary.by_form.clone(),
        cells: summary.cells,
        checks_failed: summary.checks_failed,
        files: new_files.iter().map(|f| f.path.clone()).collect(),
        not_followed: summary.skipped_dirs.clone(),
        superseded: superseded.len() as u64,
    });
    manifest.files.retain(|f| !replaced.contains(&f.path));
    manifest.files.extend(new_files);
    let committed = (|| -> Result<()> {
        // The panel checks span years: brought up to date over the whole staged dataset.
        let writer = DatasetWriter::for_config(&staging, &summary.run_id, cfg)?;
        summary.panel_checks_failed = panel::update(&staging, &mut manifest.files, writer)?;
        if let Some(run) = manifest.runs.last_mut() {
            run.files.extend(
                manifest
                    .files
                    .iter()
                    .filter(|f| f.table == Table::PanelChecks.name() && f.run_id == summary.run_id)
                    .map(|f| f.path.clone()),
            );
        }
        manifest.files.sort_by(|a, b| a.path.cmp(&b.path));
        manifest.write(&staging)?;
        sink::sync_tree(&staging)?;
        sink::commit(&staging, &out)
    })();
    if let Err(e) = committed {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(e);
    }
    summary.committed = true;
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

fn read_and_process(root: &Path, f: &InputFile, cfg: &Config, max_bytes: u64) -> Processed {
    let name = f.rel.rsplit('/').next().unwrap_or(f.rel);
    if !cfg.includes(name) {
        return Processed::failed(Problem::UnsupportedFormat);
    }
    if f.size > max_bytes {
        return Processed::failed(Problem::TooLarge);
    }
    match std::fs::read(f.path(root)) {
        // A panic in one document must not take the run down: it becomes that document's problem.
        Ok(bytes) => std::panic::catch_unwind(|| crate::process(f.rel, &bytes))
            .unwrap_or_else(|_| Processed::failed(Problem::InternalError)),
        Err(_) => Processed::failed(Problem::ReadError),
    }
}

/// The benchmark's floor: what a build of `input` costs with the parsing left out. Every file
/// is walked, read and hashed in parallel as a build does, and the same dataset writer gets one
/// record per file with the cells and checks of one report processed once up front (so the
/// Parquet side writes as many rows as a build of a dump of such reports). Writes to `out`
/// (a scratch directory) and returns (files, bytes).
pub fn floor(input: &Path, out: &Path) -> Result<(u64, u64)> {
    let mut skipped = Vec::new();
    let files = walk(input, None, &mut skipped)?;
    let template = files
        .iter()
        .filter_map(|f| {
            std::fs::read(f.path(input))
                .ok()
                .map(|b| crate::process(f.rel, &b))
        })
        .find(|p| !p.cells.is_empty())
        .unwrap_or_default();
    std::fs::create_dir_all(out)?;
    let mut writer = DatasetWriter::new(out, "floor", "zstd", 3, 131_072)?;
    let bytes: u64 = files.iter().map(|f| f.size).sum();
    let all: Vec<usize> = (0..files.len()).collect();
    for chunk in all.chunks(256) {
        let records: Vec<DocRecord> = chunk
            .par_iter()
            .map(|&i| {
                let f = files.get(i);
                let (id, _) = hash_file(input, &f);
                DocRecord {
                    doc_id: to_hex(&id),
                    source_path: f.rel.to_string(),
                    duplicate_paths: Vec::new(),
                    bytes: f.size,
                    processed: template.clone(),
                }
            })
            .collect();
        for r in records {
            writer.write(r)?;
        }
    }
    writer.finish()?;
    Ok((files.len() as u64, bytes))
}

/// A progress bar on stderr, drawn only when stderr is a terminal. `template` is indicatif's.
pub fn progress_bar(total: u64, wanted: bool, template: &str) -> ProgressBar {
    if !wanted || !std::io::stderr().is_terminal() {
        return ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
    }
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

impl Summary {
    /// One human line for stderr.
    pub fn line(&self, out: &Path) -> String {
        let statuses: Vec<String> = [
            Status::Ok,
            Status::Partial,
            Status::NoTables,
            Status::Failed,
        ]
        .iter()
        .filter_map(|s| {
            self.by_status
                .get(s.as_str())
                .map(|n| format!("{} {n}", s.as_str()))
        })
        .collect();
        let mb = self.bytes as f64 / 1e6;
        let mut s = format!(
            "gongkai: {} files seen, {} documents written ({}), {} duplicates, {} cells, {} checks failed; {:.1} MB in {:.2} s ({:.1} MB/s)",
            self.inputs_seen,
            self.documents_written,
            if statuses.is_empty() { "none".to_string() } else { statuses.join(", ") },
            self.duplicates,
            self.cells,
            self.checks_failed,
            mb,
            self.seconds,
            if self.seconds > 0.0 { mb / self.seconds } else { 0.0 }
        );
        if self.already_present > 0 {
            s.push_str(&format!(
                "; {} already in the dataset",
                self.already_present
            ));
        }
        if self.committed {
            s.push_str(&format!(" -> {} (run {})", out.display(), self.run_id));
        } else {
            s.push_str(&format!("; nothing new, {} unchanged", out.display()));
        }
        s
    }

    /// Lines a user must see even with `-q`: what under the input was not read.
    pub fn warnings(&self) -> Vec<String> {
        self.skipped_dirs
            .iter()
            .map(|d| format!("gongkai: not followed: {d}"))
            .collect()
    }
}

/// The decoded text of every file under `input`, concatenated into `out` (for baselines).
pub fn decoded_text(input: &Path, out: &Path) -> Result<u64> {
    use std::io::Write;
    let canonical_input = input
        .canonicalize()
        .map_err(|e| usage(format!("input {}: {e}", input.display())))?;
    if canonical_target(out).starts_with(&canonical_input) {
        return Err(usage(format!(
            "{}: is inside the input {}; it would overwrite a report or be read as one",
            out.display(),
            input.display()
        )));
    }
    let mut skipped = Vec::new();
    let files = walk(input, None, &mut skipped)?;
    let mut w = std::io::BufWriter::new(
        std::fs::File::create(out).with_context(|| format!("creating {}", out.display()))?,
    );
    let mut total = 0;
    for f in files.iter() {
        let Ok(bytes) = std::fs::read(f.path(input)) else {
            continue;
        };
        let text = crate::pipeline::decoded_text(f.rel, &bytes);
        w.write_all(text.as_bytes())?;
        w.write_all(b"\n")?;
        total += text.len() as u64 + 1;
    }
    w.flush()?;
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_sort_by_path_and_keep_each_files_own_path_and_problem() {
        let mut inputs = Inputs::default();
        inputs.push("b/2.txt", None, 2, None);
        inputs.push("a.txt", Some(Path::new("/x/a").into()), 1, None);
        inputs.push("b/1.txt", None, 0, Some(Problem::ReadError));
        inputs.push("a/z.txt", None, 3, None);
        let inputs = inputs.sorted();
        let seen: Vec<_> = inputs
            .iter()
            .map(|f| {
                (
                    f.rel.to_string(),
                    f.abs.map(Path::to_path_buf),
                    f.size,
                    f.error,
                )
            })
            .collect();
        assert_eq!(
            seen,
            vec![
                ("a.txt".into(), Some(PathBuf::from("/x/a")), 1, None),
                ("a/z.txt".into(), None, 3, None),
                ("b/1.txt".into(), None, 0, Some(Problem::ReadError)),
                ("b/2.txt".into(), None, 2, None),
            ]
        );
        assert_eq!(inputs.get(0).path(Path::new("/r")), PathBuf::from("/x/a"));
        assert_eq!(
            inputs.get(1).path(Path::new("/r")),
            PathBuf::from("/r/a/z.txt")
        );
    }
}
