//! The dataset-level jobs: panel checks in every build and append, compaction, the wide export
//! and the report, each read back with a real DuckDB.

mod common;
use common::*;
use gongkai::synth::{write_dump, Generator, Truth};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn ok(o: std::process::Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn gk(args: &[&str]) -> String {
    ok(gongkai().args(args).output().unwrap())
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// A panel dump (every report of the schedule) and its truth.
fn panel_dump(tmp: &Path, seed: u64, breaks: bool) -> (PathBuf, Vec<Truth>) {
    let dump = tmp.join("panel");
    let g = Generator::panel(seed, breaks);
    let n = g.panel_len();
    write_dump(&dump, n, g).unwrap();
    let truth_file = tmp.join("panel.truth.jsonl");
    let truth = std::fs::read_to_string(&truth_file)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    std::fs::remove_file(truth_file).unwrap();
    (dump, truth)
}

/// `(source_path, check)` of every failed panel check, from DuckDB.
fn failed_panel_checks(out: &Path) -> BTreeSet<(String, String)> {
    duckdb(
        out,
        "select d.source_path, p.\"check\" from panel_checks p join documents d using (doc_id) where p.outcome = 'fail'",
    )
    .as_array()
    .unwrap()
    .iter()
    .map(|r| {
        (
            r["source_path"].as_str().unwrap().to_string(),
            r["check"].as_str().unwrap().to_string(),
        )
    })
    .collect()
}

fn expected_breaks(truth: &[Truth]) -> BTreeSet<(String, String)> {
    truth
        .iter()
        .flat_map(|t| t.panel_breaks.iter().map(|b| (t.path.clone(), b.clone())))
        .collect()
}

#[test]
fn panel_checks_find_every_injected_break_and_nothing_else() {
    let tmp = temp_dir("panel-breaks");
    let (dump, truth) = panel_dump(&tmp, 7, true);
    let out = tmp.join("out");
    gk(&["build", "-q", "--input", p(&dump), "--out", p(&out)]);
    let expected = expected_breaks(&truth);
    let kinds: BTreeSet<&str> = expected
        .iter()
        .map(|(_, c)| c.split(':').next().unwrap())
        .collect();
    assert_eq!(
        kinds,
        BTreeSet::from([
            "panel.carryover",
            "panel.duplicate",
            "panel.gap",
            "panel.in_force"
        ]),
        "the panel holds every kind of break"
    );
    assert_eq!(failed_panel_checks(&out), expected);
    // DuckDB reads the table like the others: year from the path, the contract's columns.
    let rows = duckdb(
        &out,
        "select year, count(*) n, min(prev_year) lo, \
         bool_and(severity in ('hard', 'soft')) sev, bool_and(outcome in ('pass', 'fail', 'skipped')) oc \
         from panel_checks group by year order by year",
    );
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 7, "{rows:?}");
    assert_eq!(rows[0]["year"], 2019);
    assert!(rows.iter().all(|r| r["sev"] == true && r["oc"] == true));
    let agencies = duckdb(
        &out,
        "select count(distinct agency_key) n from panel_checks",
    );
    assert_eq!(agencies[0]["n"], 96, "every agency is one series");
    // Passing checks compare what the documents state.
    let pass = duckdb(
        &out,
        "select count(*) n from panel_checks p where outcome = 'pass' and \"check\" = 'panel.carryover:total'",
    );
    assert!(pass[0]["n"].as_i64().unwrap() > 96 * 4, "{pass:?}");
    std::fs::remove_dir_all(&tmp).unwrap();
}

#[test]
fn a_clean_panel_has_no_break() {
    let tmp = temp_dir("panel-clean");
    let (dump, truth) = panel_dump(&tmp, 11, false);
    assert!(truth.iter().all(|t| t.panel_breaks.is_empty()));
    let out = tmp.join("out");
    gk(&["build", "-q", "--input", p(&dump), "--out", p(&out)]);
    assert_eq!(failed_panel_checks(&out), BTreeSet::new());
    let n = duckdb(
        &out,
        "select outcome, count(*) n from panel_checks group by all order by all",
    );
    // 96 agencies × 6 later years × 7 applicant columns, and in_force over 2022–2025.
    assert_eq!(n[0]["outcome"], "pass", "{n:?}");
    assert_eq!(n[0]["n"], 96 * 6 * 7 + 96 * 4 * 2, "{n:?}");
    std::fs::remove_dir_all(&tmp).unwrap();
}

#[test]
fn an_append_brings_the_panel_checks_up_to_date() {
    let tmp = temp_dir("panel-append");
    let (dump, truth) = panel_dump(&tmp, 7, true);
    // The years before 2023 first, the rest appended: the checks of 2023 need 2022's reports.
    let (early, late) = (tmp.join("early"), tmp.join("late"));
    for t in &truth {
        let part = if t.year < 2023 { &early } else { &late };
        let to = part.join(&t.path);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(dump.join(&t.path), to).unwrap();
    }
    let (out, whole) = (tmp.join("out"), tmp.join("whole"));
    gk(&["build", "-q", "--input", p(&early), "--out", p(&out)]);
    let before: BTreeSet<_> = failed_panel_checks(&out);
    let files_before = snapshot(&out.join("panel_checks"));
    gk(&["append", "-q", "--input", p(&late), "--out", p(&out)]);
    // The years before 2023 came out the same: their files were kept, not rewritten.
    let files_after = snapshot(&out.join("panel_checks"));
    assert!(files_before.iter().all(|f| files_after.contains(f)));
    assert!(files_after.len() > files_before.len());
    gk(&["build", "-q", "--input", p(&dump), "--out", p(&whole)]);
    let q = "select d.source_path, p.\"check\", p.outcome, p.expected, p.actual, p.reason from panel_checks p join documents d using (doc_id) order by all";
    assert_eq!(duckdb(&out, q), duckdb(&whole, q));
    assert!(failed_panel_checks(&out).is_superset(&before));
    assert_eq!(failed_panel_checks(&out), expected_breaks(&truth));
    std::fs::remove_dir_all(&tmp).unwrap();
}

/// Files per (table, year) partition.
fn most_files_per_partition(out: &Path) -> usize {
    let mut most = 0;
    for table in ["documents", "cells", "checks", "panel_checks"] {
        for part in std::fs::read_dir(out.join(table)).unwrap() {
            let n = std::fs::read_dir(part.unwrap().path()).unwrap().count();
            most = most.max(n);
        }
    }
    most
}

#[test]
fn compact_after_ten_appends_leaves_few_files_and_the_same_rows() {
    let tmp = temp_dir("compact");
    let all = tmp.join("all");
    write_dump(&all, 1100, Generator::new(5)).unwrap();
    let out = tmp.join("out");
    // Eleven slices by file number: one build and ten appends.
    let mut files: Vec<PathBuf> = Vec::new();
    for year in std::fs::read_dir(&all).unwrap() {
        for f in std::fs::read_dir(year.unwrap().path()).unwrap() {
            files.push(f.unwrap().path());
        }
    }
    files.sort();
    for k in 0..11 {
        let slice = tmp.join(format!("slice{k}"));
        for (i, f) in files.iter().enumerate().filter(|(i, _)| i % 11 == k) {
            let rel = f.strip_prefix(&all).unwrap();
            let to = slice.join(rel);
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(f, &to).unwrap_or_else(|e| panic!("{i}: {e}"));
        }
        let cmd = if k == 0 { "build" } else { "append" };
        gk(&[cmd, "-q", "--input", p(&slice), "--out", p(&out)]);
    }
    assert!(most_files_per_partition(&out) >= 10);
    let mut fp = Fingerprinter::new();
    let before = fp.of(&out);
    let user_file = out.join("notes.txt");
    std::fs::write(&user_file, "mine").unwrap();
    // While another run holds the dataset's lock, compaction stops (exit 3) and changes nothing.
    let held = std::fs::OpenOptions::new()
        .write(true)
        .open(tmp.join(".out.lock"))
        .unwrap();
    held.try_lock().unwrap();
    let files_before = snapshot(&out);
    let o = gongkai()
        .args(["compact", "--out", p(&out)])
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(snapshot(&out), files_before);
    drop(held);
    let said = gk(&["compact", "--out", p(&out)]);
    assert!(said.contains("compacted"), "{said}");
    assert!(
        most_files_per_partition(&out) <= 2,
        "{}",
        most_files_per_partition(&out)
    );
    assert_eq!(fp.of(&out), before, "the same rows");
    assert_eq!(std::fs::read_to_string(&user_file).unwrap(), "mine");
    // Compacting again has nothing to do; an append after a compaction still works.
    let again = gk(&["compact", "--out", p(&out)]);
    assert!(again.contains("nothing to compact"), "{again}");
    let status = ok(gongkai()
        .args(["status", "--out", p(&out)])
        .output()
        .unwrap());
    let _ = status;
    let shown = String::from_utf8(
        gongkai()
            .args(["status", "--out", p(&out)])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert!(shown.contains("files: cells"), "{shown}");
    assert!(shown.contains("compact"), "{shown}");
    let extra = tmp.join("extra");
    write_dump(&extra, 30, Generator::new(99)).unwrap();
    gk(&["append", "-q", "--input", p(&extra), "--out", p(&out)]);
    std::fs::remove_dir_all(&tmp).unwrap();
}

#[test]
fn compact_refuses_what_is_not_a_dataset() {
    let tmp = temp_dir("compact-refuse");
    let o = gongkai()
        .args(["compact", "--out", p(&tmp.join("nothing"))])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("no gongkai dataset"), "{err}");
    std::fs::remove_dir_all(&tmp).unwrap();
}

#[test]
fn export_is_one_row_per_document_with_one_column_per_canonical_cell() {
    let tmp = temp_dir("export");
    let dump = tmp.join("dump");
    write_dump(&dump, 300, Generator::new(3)).unwrap();
    let out = tmp.join("out");
    gk(&["build", "-q", "--input", p(&dump), "--out", p(&out)]);
    // An append: a year's documents in two files (polars then holds them in two chunks, which its
    // Parquet writer refused until they were aligned).
    let more = tmp.join("more");
    write_dump(&more, 60, Generator::new(8)).unwrap();
    gk(&["append", "-q", "--input", p(&more), "--out", p(&out)]);
    let (pq, csv) = (tmp.join("wide.parquet"), tmp.join("wide.csv"));
    gk(&["export", "--out", p(&out), "--to", p(&pq)]);
    gk(&["export", "--out", p(&out), "--to", p(&csv)]);
    let docs = duckdb(&out, "select count(*) n from documents")[0]["n"].clone();
    for (file, reader) in [(&pq, "read_parquet"), (&csv, "read_csv_auto")] {
        let f = format!("{reader}('{}')", file.display());
        let n = duckdb_raw(&format!(
            "select count(*) n, count(distinct doc_id) d from {f}"
        ));
        assert_eq!(n[0]["n"], docs, "{file:?}");
        assert_eq!(n[0]["d"], docs, "{file:?}");
        // Every value equals the cells table's; a cell that is not a value is NULL.
        let mismatches = duckdb(
            &out,
            &format!(
                "with w as (select * from {f}), c as (select doc_id, value from cells where section = 's3' and item = 'new' and metric = 'total') \
                 select count(*) n from w left join c using (doc_id) where w.s3__new__total is distinct from c.value"
            ),
        );
        assert_eq!(mismatches[0]["n"], 0, "{file:?}");
        let mismatches = duckdb(
            &out,
            &format!(
                "with w as (select * from {f}), c as (select doc_id, value from cells where section = 's2' and item = 'regulations' and metric = 'in_force') \
                 select count(*) n from w left join c using (doc_id) where w.s2__regulations__in_force is distinct from c.value"
            ),
        );
        assert_eq!(mismatches[0]["n"], 0, "{file:?}");
    }
    // Both forms' columns, shared codes once: from the contract's tables.
    let cols = duckdb_raw(&format!(
        "describe select * from read_parquet('{}')",
        pq.display()
    ));
    let names: Vec<String> = cols
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["column_name"].as_str().unwrap().to_string())
        .collect();
    for c in [
        "doc_id",
        "year",
        "form_version",
        "s2__regulations__published",
        "s2__regulations__in_force",
        "s2__fees__amount",
        "s3__other_no_fee__total",
        "s3__denied_state_secret__natural_person",
        "s4__all__litigation_after_review_total",
    ] {
        assert!(names.iter().any(|n| n == c), "{c} in {names:?}");
    }
    assert_eq!(names.iter().filter(|n| *n == "s3__new__total").count(), 1);
    let bad = gongkai()
        .args([
            "export",
            "--out",
            p(&out),
            "--to",
            p(&tmp.join("wide.xlsx")),
        ])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    std::fs::remove_dir_all(&tmp).unwrap();
}

/// The numbers embedded in a report page.
fn report_numbers(page: &str) -> Value {
    let start = page.find("id=\"numbers\">").unwrap() + "id=\"numbers\">".len();
    let end = start + page[start..].find("</script>").unwrap();
    serde_json::from_str(&page[start..end]).unwrap()
}

#[test]
fn the_report_states_what_duckdb_finds_and_renders_in_chromium() {
    let tmp = temp_dir("report");
    let (dump, _) = panel_dump(&tmp, 7, true);
    let extra = tmp.join("panel/mix");
    write_dump(&extra, 200, Generator::new(4)).unwrap();
    let out = tmp.join("out");
    gk(&["build", "-q", "--input", p(&dump), "--out", p(&out)]);
    let page_file = tmp.join("report.html");
    gk(&["report", "--out", p(&out), "--to", p(&page_file)]);
    let page = std::fs::read_to_string(&page_file).unwrap();
    for fetch in ["src=\"http", "href=\"http", "url(http", "<link", "<img"] {
        assert!(!page.contains(fetch), "nothing fetched: {fetch}");
    }
    let n = report_numbers(&page);
    let q = |sql: &str| duckdb(&out, sql);
    assert_eq!(
        n["documents"],
        q("select count(*) n from documents")[0]["n"]
    );
    let coverage = q("select coalesce(province, '(unknown)') p, year, count(*) n from documents group by all order by all");
    let ours: Vec<Value> = n["coverage"].as_array().unwrap().clone();
    assert_eq!(ours.len(), coverage.as_array().unwrap().len());
    for (o, c) in ours.iter().zip(coverage.as_array().unwrap()) {
        assert_eq!((&o[0], &o[1], &o[2]), (&c["p"], &c["year"], &c["n"]));
    }
    let requests = q("select year, form_version, sum(value) filter (item = 'new') r, sum(value) filter (item = 'total') a, sum(value) filter (item = 'granted') g \
                      from cells where section = 's3' and metric = 'total' group by all order by all");
    for (o, c) in n["requests"]
        .as_array()
        .unwrap()
        .iter()
        .zip(requests.as_array().unwrap())
    {
        assert_eq!(o["year"], c["year"]);
        assert_eq!(o["form"], c["form_version"]);
        for (ours, theirs) in [("received", "r"), ("answered", "a"), ("granted", "g")] {
            assert_eq!(o[ours].as_f64(), c[theirs].as_f64(), "{ours} {o} {c}");
        }
    }
    let by_status = q("select status, count(*) n from documents group by all");
    for row in by_status.as_array().unwrap() {
        let ours = n["by_status"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s[0] == row["status"])
            .unwrap();
        assert_eq!(ours[1], row["n"]);
    }
    let rules = q("select split_part(\"check\", ':', 1) r, count(*) n from checks where outcome = 'fail' group by all");
    for row in rules.as_array().unwrap() {
        let ours = n["failed_checks_by_rule"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s[0] == row["r"])
            .unwrap();
        assert_eq!(ours[1], row["n"]);
    }
    let panel = q("select split_part(\"check\", ':', 1) r, year, count(*) n from panel_checks where outcome = 'fail' group by all order by all");
    let ours = n["panel_breaks"].as_array().unwrap();
    assert_eq!(ours.len(), panel.as_array().unwrap().len());
    for (o, c) in ours.iter().zip(panel.as_array().unwrap()) {
        assert_eq!((&o[0], &o[1], &o[2]), (&c["r"], &c["year"], &c["n"]));
    }
    // Headless Chromium opens it from disk: the DOM has every section and every plot, nothing
    // failed to load, nothing was logged as an error by the page.
    let Some(chromium) = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|c| {
            std::process::Command::new(c)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
    else {
        assert!(
            std::env::var_os("CI").is_none(),
            "Chromium is needed by this test in CI: scripts/test.sh installs it"
        );
        eprintln!("no chromium here: the render check is skipped (scripts/test.sh installs it)");
        return;
    };
    let url = format!("file://{}", page_file.display());
    let o = std::process::Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--enable-logging=stderr",
            "--v=0",
            "--dump-dom",
            &url,
        ])
        .output()
        .unwrap();
    assert!(o.status.success());
    let dom = String::from_utf8_lossy(&o.stdout);
    for id in ["coverage", "requests", "status", "checks", "panel"] {
        assert!(dom.contains(&format!("id=\"{id}\"")), "section {id}");
    }
    assert!(
        dom.matches("<svg").count() >= 7,
        "the plots are in the page"
    );
    let log = String::from_utf8_lossy(&o.stderr);
    for line in log.lines() {
        assert!(
            !(line.contains("CONSOLE")
                || line.contains("Failed to load resource")
                || line.contains("net::ERR")),
            "{line}"
        );
    }
    std::fs::remove_dir_all(&tmp).unwrap();
}

/// The panel step holds a chunk of documents and a bucket of agencies at a time: with chunks
/// of three documents and buckets of five reports (many passes, many buckets) it finds the same
/// rows as the build did, keeps every year's files when they are there, and writes the same
/// rows when they are not.
#[test]
fn panel_checks_are_the_same_whatever_is_held_at_once() {
    use gongkai::dataset::panel::{update_within, Limits};
    use gongkai::dataset::sink::{DatasetWriter, FileEntry, Manifest};
    let tmp = temp_dir("panel-limits");
    let (dump, _) = panel_dump(&tmp, 7, true);
    let out = tmp.join("out");
    gk(&["build", "-q", "--input", p(&dump), "--out", p(&out)]);
    let q = "select year, doc_id, \"check\", outcome, expected, actual, reason, prev_doc_id from panel_checks order by all";
    let want = duckdb(&out, q);
    assert!(want.as_array().unwrap().len() > 100);
    let built = Manifest::read(&out).unwrap().unwrap().files;
    let panel = |files: &[FileEntry]| -> Vec<(i32, Option<String>)> {
        let mut v: Vec<_> = files
            .iter()
            .filter(|f| f.table == "panel_checks")
            .map(|f| (f.year, f.rows_hash.clone()))
            .collect();
        v.sort();
        v
    };
    let small = Limits {
        chunk_docs: 3,
        bucket_reports: 5,
    };
    for keep in [true, false] {
        let staged = tmp.join(format!("staged-{keep}"));
        copy_tree(&out, &staged);
        let mut files = built.clone();
        if !keep {
            std::fs::remove_dir_all(staged.join("panel_checks")).unwrap();
            files.retain(|f| f.table != "panel_checks");
        }
        let writer = DatasetWriter::new(&staged, "limits", "zstd", 3, 1 << 20).unwrap();
        update_within(&staged, &mut files, writer, small).unwrap();
        assert_eq!(panel(&files), panel(&built), "keep {keep}");
        if keep {
            let paths = |f: &[FileEntry]| -> BTreeSet<String> {
                f.iter().map(|f| f.path.clone()).collect()
            };
            assert_eq!(paths(&files), paths(&built), "every year's files kept");
        }
        assert_eq!(duckdb(&staged, q), want, "keep {keep}");
        assert!(!staged.join(".panel-spill").exists());
    }
    std::fs::remove_dir_all(&tmp).unwrap();
}
