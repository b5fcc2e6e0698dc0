//! PDF reports, scored per rendering against the generator's truth: 300 generated reports
//! printed to PDF by LibreOffice (from the generator's .docx) and 300 by headless Chromium (from
//! its HTML page), each PDF also as `pdftotext -layout` and plain `pdftotext` text and as
//! PyMuPDF4LLM's markdown
//! (`tests/fixtures/pdf.tar.zst`, made by `scripts/make-pdf-fixtures.sh`). Both forms, zeros
//! printed empty, traditional script and injected errors come in the generator's mix.

mod common;
use gongkai::model::{CellStatus, Processed};
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
                    let path = if sub.is_empty() {
                        name
                    } else {
                        format!("{sub}/{name}")
                    };
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
        let path = entry
            .path()
            .unwrap()
            .to_string_lossy()
            .trim_start_matches("./")
            .to_string();
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
            [".pdf", ".layout.txt", ".plain.txt", ".md"].map(|suffix| {
                let path = t.path.replace(".pdf", suffix);
                let kind = match suffix {
                    ".pdf" => "pdf",
                    ".layout.txt" => "pdftotext -layout",
                    ".md" => "pymupdf4llm markdown",
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
        let blank_right = c.value.is_none()
            && got.is_some_and(|o| matches!(o.status, CellStatus::Blank | CellStatus::Derived));
        if value != c.value || (c.value.is_none() && !blank_right) {
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
    let failed = p.failed_checks();
    let unflagged: Vec<&String> = t
        .must_flag
        .iter()
        .filter(|m| !failed.contains(&m.as_str()))
        .collect();
    if !unflagged.is_empty() {
        eprintln!("{} unflagged {unflagged:?} (failed {failed:?})", t.path);
    }
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
        let form_right = p.info.form_version.map(|v| v.as_str()) == Some(t.form_version.as_str());
        if one.wrong + one.invented > 0 || p.info.year != Some(t.year) || !form_right {
            wrong_docs.push(format!(
                "{rendering} {}: {:?} form {:?}",
                t.path, one, p.info.form_version
            ));
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
        // Cells exact, at least: what the readers reach now (the goals are 99.5% for a
        // PDF from each producer, 98% for -layout text and 95% for plain text; see README).
        let floor = match name.as_str() {
            "chromium pdf" => 99.5,
            "lo pdf" => 99.5,
            "lo pdftotext -layout" => 91.5,
            "chromium pdftotext -layout" => 90.5,
            "lo pdftotext" => 1.0,
            "lo pymupdf4llm markdown" => 23.0,
            "chromium pymupdf4llm markdown" => 18.0,
            _ => 0.0,
        };
        assert!(
            pct(s) >= floor,
            "{name}: {:.2}% < {floor}%\n{table}",
            pct(s)
        );
        if name.ends_with(" pdf") {
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

mod hostile {
    use super::common::*;
    use lopdf::{dictionary, Document, Object, Stream};

    /// A PDF of `n` pages sharing one content stream (and `extra` objects in the page tree).
    fn pdf(
        n: usize,
        content: Stream,
        tweak: impl FnOnce(&mut Document, lopdf::ObjectId),
    ) -> Vec<u8> {
        let mut doc = Document::with_version("1.5");
        let pages_id = doc.new_object_id();
        let content_id = doc.add_object(content);
        let kids: Vec<Object> = (0..n)
            .map(|_| {
                doc.add_object(dictionary! {
                    "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
                    "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
                })
                .into()
            })
            .collect();
        doc.objects.insert(
            pages_id,
            Object::Dictionary(
                dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => n as i64 },
            ),
        );
        let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
        doc.trailer.set("Root", catalog);
        tweak(&mut doc, pages_id);
        let mut out = Vec::new();
        doc.save_to(&mut out).unwrap();
        out
    }

    fn plain(content: &[u8]) -> Stream {
        Stream::new(dictionary! {}, content.to_vec())
    }

    #[test]
    fn hostile_pdfs_are_rows_with_precise_problems() {
        let tmp = temp_dir("pdf-hostile");
        let input = tmp.join("in");
        std::fs::create_dir_all(&input).unwrap();
        let files = super::archive();
        let mut names: Vec<&String> = files
            .keys()
            .filter(|p| p.starts_with("chromium/") && p.ends_with(".pdf"))
            .collect();
        names.sort();
        let good = &files[names[0]];
        std::fs::write(input.join("good.pdf"), good).unwrap();
        let (seed_name, seed_bytes) = seed("001");
        std::fs::write(input.join(&seed_name), seed_bytes).unwrap();
        let mut bomb = Stream::new(dictionary! {}, vec![b' '; 64 << 20]);
        bomb.compress().unwrap();
        let hostile: Vec<(&str, Vec<u8>)> = vec![
            // A page tree whose node is its own kid, and a form XObject drawing itself.
            (
                "tree_loop.pdf",
                pdf(1, plain(b""), |doc, pages| {
                    doc.objects.insert(pages, Object::Dictionary(dictionary! {
                    "Type" => "Pages", "Kids" => vec![Object::Reference(pages)], "Count" => 1,
                }));
                }),
            ),
            (
                "xobject_loop.pdf",
                pdf(1, plain(b"/X0 Do"), |doc, _| {
                    let id = doc.new_object_id();
                    let mut form = Stream::new(
                        dictionary! { "Type" => "XObject", "Subtype" => "Form", "BBox" => vec![0.into(), 0.into(), 10.into(), 10.into()] },
                        b"/X0 Do".to_vec(),
                    );
                    form.dict.set(
                        "Resources",
                        dictionary! { "XObject" => dictionary! { "X0" => id } },
                    );
                    doc.objects.insert(id, Object::Stream(form));
                    for (_, o) in doc.objects.iter_mut() {
                        if let Ok(d) = o.as_dict_mut() {
                            if d.get(b"Type").ok().and_then(|t| t.as_name().ok()) == Some(b"Page") {
                                d.set(
                                    "Resources",
                                    dictionary! { "XObject" => dictionary! { "X0" => id } },
                                );
                            }
                        }
                    }
                }),
            ),
            ("pages_10000.pdf", pdf(10_000, plain(b"q Q"), |_, _| {})),
            (
                "scanned.pdf",
                pdf(2, plain(b"q 500 0 0 700 40 60 cm Q"), |_, _| {}),
            ),
            ("bomb.pdf", pdf(1, bomb, |_, _| {})),
            ("truncated.pdf", good[..good.len() / 3].to_vec()),
            (
                "not_a_pdf.pdf",
                b"%PDF-1.7\n1 0 obj << /Type /Catalog".to_vec(),
            ),
            (
                "encrypted.pdf",
                pdf(1, plain(b""), |doc, _| {
                    let enc = doc.add_object(dictionary! {
                    "Filter" => "Standard", "V" => 2, "R" => 3, "Length" => 128,
                    "O" => Object::string_literal(vec![7u8; 32]), "U" => Object::string_literal(vec![9u8; 32]),
                    "P" => -4,
                });
                    doc.trailer.set("Encrypt", enc);
                    doc.trailer.set(
                        "ID",
                        vec![
                            Object::string_literal(vec![1u8; 16]),
                            Object::string_literal(vec![1u8; 16]),
                        ],
                    );
                }),
            ),
        ];
        for (name, bytes) in &hostile {
            std::fs::write(input.join(name), bytes).unwrap();
        }
        let row = build_bounded(&input, &tmp.join("out"), "status, problems, layout, pages");
        assert_failed_with(
            &row,
            &[
                ("tree_loop.pdf", "corrupt_pdf"),
                ("xobject_loop.pdf", "scanned_pdf"),
                ("pages_10000.pdf", "too_large"),
                ("scanned.pdf", "scanned_pdf"),
                ("bomb.pdf", "too_large"),
                ("truncated.pdf", "corrupt_pdf"),
                ("not_a_pdf.pdf", "corrupt_pdf"),
                ("encrypted.pdf", "encrypted_pdf"),
            ],
        );
        assert_eq!(row("scanned.pdf")["pages"], 2);
        let g = row("good.pdf");
        assert_eq!(
            (g["layout"].as_str(), g["pages"].as_i64().is_some()),
            (Some("pdf"), true),
            "{g}"
        );
        assert_ne!(g["status"], "failed");
        assert_ne!(row(&seed_name)["status"], "failed");
        std::fs::remove_dir_all(&tmp).unwrap();
    }
}
