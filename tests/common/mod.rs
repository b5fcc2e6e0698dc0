//! Helpers shared by the integration tests.
#![allow(dead_code)]

use gongkai::model::Processed;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The five seed reports, shipped in data/sample.
pub fn seeds() -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(root().join("data/sample"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("00"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    v.sort();
    assert_eq!(v.len(), 5, "data/sample holds the five seeds");
    v
}

pub fn seed(prefix: &str) -> (String, Vec<u8>) {
    seeds()
        .into_iter()
        .find(|(n, _)| n.starts_with(prefix))
        .unwrap()
}

/// A fresh empty directory under the system temp dir.
pub fn temp_dir(name: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let d = std::env::temp_dir().join(format!(
        "gongkai-test-{}-{}-{name}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Cells as stable text lines, for comparisons and golden files.
pub fn cell_lines(p: &Processed, with_raw_and_line: bool) -> Vec<String> {
    p.cells
        .iter()
        .map(|c| {
            let value = c
                .value
                .map(|v| format!("{v}"))
                .unwrap_or_else(|| "NULL".into());
            let mut s = format!(
                "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                c.form_version.as_str(),
                c.section.as_str(),
                c.item,
                c.metric,
                c.status.as_str(),
                value,
                c.unit.as_str()
            );
            if with_raw_and_line {
                s.push_str(&format!(
                    "\t{:?}\t{}",
                    c.raw,
                    c.line.map(|l| l.to_string()).unwrap_or_else(|| "-".into())
                ));
            }
            s
        })
        .collect()
}

pub fn golden_text(p: &Processed) -> String {
    let i = &p.info;
    let mut out = format!(
        "year {:?}\nform_version {:?}\nagency {:?}\nregion {:?} {:?} {:?} {:?}\nencoding {:?}\nscript {:?}\nlayout {:?}\nstatus {}\nproblems {:?}\n",
        i.year,
        i.form_version.map(|v| v.as_str()),
        i.agency,
        i.region_code,
        i.province,
        i.prefecture,
        i.county,
        i.encoding,
        i.script,
        i.layout,
        p.status().as_str(),
        p.problems.iter().map(|x| x.code()).collect::<Vec<_>>()
    );
    out.push_str("# cells: form section item metric status value unit raw line\n");
    for l in cell_lines(p, true) {
        out.push_str(&l);
        out.push('\n');
    }
    out.push_str("# checks: check outcome expected actual reason\n");
    for c in &p.checks {
        out.push_str(&format!(
            "{}\t{}\t{:?}\t{:?}\t{:?}\n",
            c.check,
            c.outcome.as_str(),
            c.expected,
            c.actual,
            c.reason
        ));
    }
    out
}

/// Compare with tests/golden/NAME, or write it when GONGKAI_BLESS=1.
pub fn assert_golden(name: &str, actual: &str) {
    let path = root().join("tests/golden").join(name);
    if std::env::var("GONGKAI_BLESS").as_deref() == Ok("1") {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "{} missing: run with GONGKAI_BLESS=1 and review it",
            path.display()
        )
    });
    if expected != actual {
        let diff: Vec<String> = expected
            .lines()
            .zip(actual.lines())
            .filter(|(a, b)| a != b)
            .take(10)
            .map(|(a, b)| format!("- {a}\n+ {b}"))
            .collect();
        panic!(
            "{} differs from the golden file (GONGKAI_BLESS=1 rewrites it after review):\n{}",
            name,
            diff.join("\n")
        );
    }
}

pub fn gongkai() -> Command {
    Command::new(env!("CARGO_BIN_EXE_gongkai"))
}

/// Python with the duckdb module: GONGKAI_PYTHON (set by scripts/test.sh), else ./.venv.
pub fn python() -> PathBuf {
    let p = std::env::var_os("GONGKAI_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join(".venv/bin/python"));
    let ok = Command::new(&p)
        .args(["-c", "import duckdb"])
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    assert!(ok, "DuckDB for Python is needed by this test: run ./scripts/test.sh (it installs it) or set GONGKAI_PYTHON");
    p
}

/// Run SQL in a real DuckDB over a dataset; views `documents`, `cells`, `checks`,
/// `panel_checks` are defined (over the tables that have files). Returns the rows as JSON.
pub fn duckdb(out: &Path, sql: &str) -> serde_json::Value {
    let views: String = ["documents", "cells", "checks", "panel_checks"]
        .iter()
        .filter(|t| out.join(t).is_dir())
        .map(|t| {
            format!(
                "con.execute(\"create view {t} as select * from read_parquet('{}/{t}/**/*.parquet', hive_partitioning = true)\")\n",
                out.display()
            )
        })
        .collect();
    run_duckdb(&views, sql)
}

/// Run one SQL statement in a real DuckDB with nothing defined; the rows as JSON.
pub fn duckdb_raw(sql: &str) -> serde_json::Value {
    run_duckdb("", sql)
}

/// `setup` (Python lines using `con`) then `sql`, in DuckDB for Python; the rows as JSON.
fn run_duckdb(setup: &str, sql: &str) -> serde_json::Value {
    let script = format!(
        "import duckdb, json, sys\ncon = duckdb.connect()\n{setup}cur = con.execute(sys.argv[1])\ncols = [d[0] for d in cur.description]\nprint(json.dumps([dict(zip(cols, r)) for r in cur.fetchall()], default=str))\n"
    );
    let o = Command::new(python())
        .args(["-c", &script, sql])
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "duckdb failed on {sql}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).unwrap()
}

/// A long-lived DuckDB (Python) that answers "what does this dataset hold" quickly, many
/// times: for each table, the row count and an order-independent hash of its rows.
pub struct Fingerprinter {
    child: std::process::Child,
    stdin: std::process::ChildStdin,
    stdout: std::io::BufReader<std::process::ChildStdout>,
}

impl Fingerprinter {
    pub fn new() -> Fingerprinter {
        let script = r#"
import duckdb, glob, json, sys
for line in sys.stdin:
    out = line.strip()
    res = {}
    try:
        con = duckdb.connect()
        for t in ["documents", "cells", "checks", "panel_checks"]:
            cols = "* exclude (run_id)" if t == "documents" else "*"
            if not glob.glob(f"{out}/{t}/**/*.parquet", recursive=True):
                res[t] = [0, "0"]
                continue
            n, h = con.execute(f"select count(*), coalesce(sum(hash(r)), 0) from (select {cols} from read_parquet('{out}/{t}/**/*.parquet', hive_partitioning = true)) r").fetchone()
            res[t] = [n, str(h)]
    except Exception as e:
        res = {"error": str(e)}
    print(json.dumps(res), flush=True)
"#;
        let mut child = Command::new(python())
            .args(["-c", script])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = std::io::BufReader::new(child.stdout.take().unwrap());
        Fingerprinter {
            child,
            stdin,
            stdout,
        }
    }

    pub fn of(&mut self, out: &Path) -> serde_json::Value {
        use std::io::{BufRead, Write};
        writeln!(self.stdin, "{}", out.display()).unwrap();
        let mut line = String::new();
        self.stdout.read_line(&mut line).unwrap();
        serde_json::from_str(&line).unwrap()
    }
}

impl Drop for Fingerprinter {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn copy_tree(from: &Path, to: &Path) {
    let _ = std::fs::remove_dir_all(to);
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// Every file under a directory with its bytes, relative paths sorted.
pub fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                walk(base, &e.path(), out);
            } else {
                out.push((
                    e.path().strip_prefix(base).unwrap().display().to_string(),
                    std::fs::read(e.path()).unwrap(),
                ));
            }
        }
    }
    let mut v = Vec::new();
    walk(dir, dir, &mut v);
    v.sort();
    v
}

/// Run `gongkai build --input INPUT --out OUT EXTRA…` and return its output.
pub fn build_output(input: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    gongkai()
        .arg("build")
        .args(extra)
        .args([
            "--input",
            input.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .output()
        .unwrap()
}

/// Each fixture of `tests/fixtures/DIR` named in its `truth.jsonl` (the path's `.docx` replaced by
/// `suffix`), processed and scored against its truth.
pub fn scored_fixtures(
    dir: &str,
    suffix: &str,
) -> Vec<(gongkai::synth::Truth, Processed, gongkai::synth::Score)> {
    let dir = root().join("tests/fixtures").join(dir);
    let truth = std::fs::read_to_string(dir.join("truth.jsonl")).unwrap();
    truth
        .lines()
        .map(|line| {
            let mut t: gongkai::synth::Truth = serde_json::from_str(line).unwrap();
            t.path = t.path.replace(".docx", suffix);
            let bytes = std::fs::read(dir.join(&t.path)).unwrap();
            let p = gongkai::process(&t.path, &bytes);
            let mut score = gongkai::synth::Score::default();
            score.add(&t, &p);
            (t, p, score)
        })
        .collect()
}

/// Builds `input` into `out` quietly, in under a minute (hostile files must not stall a run),
/// and returns the `documents` rows (`columns`) by source path.
#[allow(dead_code)]
pub fn build_bounded(
    input: &Path,
    out: &Path,
    columns: &str,
) -> impl Fn(&str) -> serde_json::Value {
    let started = std::time::Instant::now();
    let o = build_output(input, out, &["-q"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(started.elapsed().as_secs() < 60, "bounded time");
    let rows = duckdb(
        out,
        &format!("select source_path, {columns} from documents order by source_path"),
    );
    move |name: &str| {
        rows.as_array()
            .unwrap()
            .iter()
            .find(|r| r["source_path"] == name)
            .unwrap_or_else(|| panic!("no row for {name}: {rows}"))
            .clone()
    }
}

/// Each named file is `failed` with exactly the one problem given.
#[allow(dead_code)]
pub fn assert_failed_with(row: &dyn Fn(&str) -> serde_json::Value, expected: &[(&str, &str)]) {
    for (name, problem) in expected {
        let r = row(name);
        assert_eq!(r["status"], "failed", "{name}: {r}");
        assert_eq!(r["problems"], serde_json::json!([problem]), "{name}: {r}");
    }
}

/// Who and when read as the generator wrote them.
#[allow(dead_code)]
pub fn assert_year_and_agency(t: &gongkai::synth::Truth, p: &gongkai::model::Processed) {
    assert_eq!(p.info.year, Some(t.year), "{}", t.path);
    assert_eq!(
        p.info.agency.as_deref(),
        Some(t.agency.as_str()),
        "{}",
        t.path
    );
}
