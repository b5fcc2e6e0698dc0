//! PDF reports, scored per rendering against the generator's truth: 300 generated reports
//! printed to PDF by LibreOffice (from the generator's .docx) and 300 by headless Chromium (from
//! its HTML page), each PDF also as `pdftotext -layout` and plain `pdftotext` text
//! (`tests/fixtures/pdf.tar.zst`, made by `scripts/make-pdf-fixtures.sh`). Both forms, zeros
//! printed empty, traditional script and injected errors come in the generator's mix.

mod common;
use gongkai::model::Processed;
use gongkai::synth::{Score, Truth};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::io::Read;

/// The archive's files by path (or, to try a freshly made set, the files of the directory
/// `GONGKAI_PDF_FIXTURES` names, laid out as in the archive).
fn archive() -> HashMap<String, Vec<u8>> {
    if let Ok(dir) = std::env::var("GONGKAI_PDF_FIXTURES") {
        let mut files = HashMap::new();
        for sub in ["", "lo", "chromium"] {
            for e in std::fs::read_dir(std::path::Path::new(&dir).join(sub)).unwrap() {
                let e = e.unwrap();
                if e.file_type().unwrap().is_file() {
                    let name = e.file_name().to_string_lossy().to_string();
                    let path = if sub.is_empty() { name } else { format!("{sub}/{name}") };
                    files.insert(path, std::fs::read(e.path()).unwrap());
                }
            }
        }
        return files;
    }
    let file = std::fs::File::open(common::root().join("tests/fixtures/pdf.tar.zst")).unwrap();
    let mut zstd = zstd::stream::read::Decoder::new(file).unwrap();
    zstd.window_log_max(27).unwrap();
    let mut tar = tar::Archive::new(zstd);
    let mut files = HashMap::new();
    for entry in tar.entries().unwrap() {
        let mut entry = entry.unwrap();
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let path = entry.path().unwrap().to_string_lossy().trim_start_matches("./").to_string();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        files.insert(path, bytes);
    }
    files
}

/// Every rendering's documents processed: (rendering, truth, output).
fn processed() -> Vec<(String, Truth, Processed)> {
    let files = archive();
    let truths: Vec<Truth> = std::str::from_utf8(&files["truth.jsonl"])
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let jobs: Vec<(String, String, &Truth)> = truths
        .iter()
        .flat_map(|t| {
            let producer = t.path.split('/').next().unwrap().to_string();
            [".pdf", ".layout.txt", ".plain.txt"].map(|suffix| {
                let path = t.path.replace(".pdf", suffix);
                let kind = match suffix {
                    ".pdf" => "pdf",
                    ".layout.txt" => "pdftotext -layout",
                    _ => "pdftotext",
                };
                (format!("{producer} {kind}"), path, t)
            })
        })
        .collect();
    jobs.into_par_iter()
        .map(|(rendering, path, t)| {
            let p = gongkai::process(&path, &files[&path]);
            let mut truth = t.clone();
            truth.path = path;
            (rendering, truth, p)
        })
        .collect()
}

/// Prints the cells of a document that differ from its truth (`GONGKAI_SHOW=path-part`).
fn show(t: &Truth, p: &Processed) {
    for c in &t.cells {
        let got = p
            .cells
            .iter()
            .find(|o| o.section.as_str() == c.section && o.item == c.item && o.metric == c.metric);
        let value = got.and_then(|o| o.value);
        if value != c.value {
            eprintln!(
                "{} {}.{}.{}: truth {:?} got {:?} {:?} raw {:?}",
                t.path,
                c.section,
                c.item,
                c.metric,
                c.value,
                value,
                got.map(|o| o.status),
                got.and_then(|o| o.raw.clone())
            );
        }
    }
    eprintln!("{} problems {:?}", t.path, p.problems);
}

#[test]
fn pdf_renderings_meet_their_accuracy() {
    let all = processed();
    let mut scores: BTreeMap<String, Score> = BTreeMap::new();
    let mut wrong_docs: Vec<String> = Vec::new();
    for (rendering, t, p) in &all {
        let mut one = Score::default();
        one.add(t, p);
        if std::env::var("GONGKAI_SHOW").is_ok_and(|s| t.path.contains(&s)) {
            show(t, p);
        }
        if one.wrong + one.invented > 0 || p.info.year != Some(t.year) {
            wrong_docs.push(format!("{rendering} {}: {:?}", t.path, one));
        }
        scores.entry(rendering.clone()).or_default().add(t, p);
    }
    let pct = |s: &Score| 100.0 * s.exact as f64 / s.truth_cells.max(1) as f64;
    let mut table = String::from(
        "| rendering | reports | cells | exact % | wrong | invented | year right | form right | injected errors flagged |\n|---|---|---|---|---|---|---|---|---|\n",
    );
    for (name, s) in &scores {
        table.push_str(&format!(
            "| {name} | {} | {} | {:.2} | {} | {} | {} | {} | {}/{} |\n",
            s.documents,
            s.truth_cells,
            pct(s),
            s.wrong,
            s.invented,
            s.year_right,
            s.form_version_right,
            s.flagged,
            s.must_flag
        ));
    }
    println!("{table}");
    assert!(wrong_docs.is_empty(), "{}\n{table}", wrong_docs.join("\n"));
    for (name, s) in &scores {
        if std::env::var("GONGKAI_PDF_FIXTURES").is_err() {
            assert!(s.documents >= 300, "{name}: {} reports", s.documents);
        }
        assert_eq!((s.wrong, s.invented), (0, 0), "{name}\n{table}");
        assert_eq!(s.year_right, s.documents, "{name}: year\n{table}");
        assert_eq!(s.form_version_right, s.documents, "{name}: form\n{table}");
        let floor = if name.ends_with("pdf") {
            99.5
        } else if name.ends_with("-layout") {
            98.0
        } else {
            95.0
        };
        assert!(pct(s) >= floor, "{name}: {:.2}% < {floor}%\n{table}", pct(s));
        if name.ends_with("pdf") {
            assert_eq!(s.flagged, s.must_flag, "{name}: injected errors\n{table}");
        }
    }
}

#[test]
fn pdf_documents_count_their_pages() {
    let files = archive();
    let (path, bytes) = files.iter().find(|(p, _)| p.ends_with(".pdf")).unwrap();
    let p = gongkai::process(path, bytes);
    assert!(p.info.pages.is_some_and(|n| n >= 2), "{:?}", p.info);
    assert_eq!(p.info.layout, Some("pdf"));
}
