//! Word reports: generated `.docx` files read exactly like the same tables in HTML, and hostile
//! Word files each get a `documents` row with a precise problem, in bounded time and memory,
//! without harming the good documents beside them.

mod common;
use common::*;
use std::io::Write;

fn zip_with(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    for (name, content) in entries {
        zip.start_file(*name, options).unwrap();
        zip.write_all(content).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// `word/document.xml` that inflates to 80 MiB (past the 64 MiB bound) from ~80 KB.
fn zip_bomb() -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    zip.start_file("word/document.xml", options).unwrap();
    zip.write_all(b"<w:document><w:body><w:p><w:r><w:t>")
        .unwrap();
    let chunk = vec![b'0'; 1 << 20];
    for _ in 0..80 {
        zip.write_all(&chunk).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

#[test]
fn generated_word_reports_are_read_like_their_html() {
    let mut g = gongkai::synth::Generator::new(40);
    let mut n = 0;
    for i in 0..400 {
        let d = g.document(i);
        if d.truth.layout != "docx" {
            continue;
        }
        n += 1;
        let p = gongkai::process(&d.path, &d.bytes);
        assert_eq!(p.info.layout, Some("docx"));
        let mut score = gongkai::synth::Score::default();
        score.add(&d.truth, &p);
        assert_eq!(
            (score.wrong, score.invented, score.missed),
            (0, 0, 0),
            "{}",
            d.path
        );
        assert_eq!(score.exact, score.truth_cells, "{}", d.path);
    }
    assert!(n > 20, "{n} Word reports");
}

#[test]
fn hostile_word_files_are_rows_with_precise_problems() {
    let tmp = temp_dir("docx-hostile");
    let input = tmp.join("in");
    std::fs::create_dir_all(&input).unwrap();
    // Good reports beside the bad ones: a Word one and a seed.
    let mut g = gongkai::synth::Generator::new(41);
    let good = (0..200)
        .map(|i| g.document(i))
        .find(|d| d.truth.layout == "docx" && d.truth.form_version != "legacy")
        .unwrap();
    std::fs::write(input.join("good.docx"), &good.bytes).unwrap();
    let (seed_name, seed_bytes) = seed("001");
    std::fs::write(input.join(&seed_name), seed_bytes).unwrap();
    let w = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#;
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("bomb.docx", zip_bomb()),
        ("no_document.docx", zip_with(&[("word/other.xml", b"<x/>")])),
        (
            "malformed.docx",
            zip_with(&[("word/document.xml", b"<w:document><w:body><w:p></w:body>")]),
        ),
        (
            "entities.docx",
            zip_with(&[(
                "word/document.xml",
                format!(r#"<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]><w:document {w}><w:body><w:p><w:r><w:t>&b;&b;&b;</w:t></w:r></w:p></w:body></w:document>"#).as_bytes(),
            )]),
        ),
        ("truncated.docx", good.bytes[..good.bytes.len() / 2].to_vec()),
        ("legacy.doc", {
            let mut ole = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
            ole.extend(vec![0u8; 4096]);
            ole
        }),
        ("page_saved_as.doc", b"<html><body><p>not a report</p></body></html>".to_vec()),
    ];
    for (name, bytes) in &files {
        std::fs::write(input.join(name), bytes).unwrap();
    }
    let row = build_bounded(&input, &tmp.join("out"), "status, problems, layout");
    assert_failed_with(
        &row,
        &[
            ("bomb.docx", "too_large"),
            ("no_document.docx", "corrupt_docx"),
            ("malformed.docx", "corrupt_docx"),
            ("entities.docx", "corrupt_docx"),
            ("truncated.docx", "corrupt_docx"),
            ("legacy.doc", "legacy_doc"),
        ],
    );
    // A page saved under a .doc name is read as the page it is.
    assert_eq!(row("page_saved_as.doc")["status"], "no_tables");
    assert_eq!(row("good.docx")["layout"], "docx");
    assert_ne!(row("good.docx")["status"], "failed");
    assert_ne!(row(&seed_name)["status"], "failed");
    std::fs::remove_dir_all(&tmp).unwrap();
}

/// Reports that LibreOffice wrote as .docx from generated HTML (`scripts/make-word-fixtures.sh`):
/// a real producer's markup (styles, run properties, table grids), every cell checked against the
/// generator's truth.
#[test]
fn word_files_written_by_libreoffice_are_read_exactly() {
    let fixtures = scored_fixtures("word", ".docx");
    for (t, p, score) in &fixtures {
        assert_eq!(p.info.layout, Some("docx"), "{}", t.path);
        assert_year_and_agency(t, p);
        assert_eq!(score.exact, score.truth_cells, "{}: {score:?}", t.path);
        assert_eq!(score.flagged, score.must_flag, "{}", t.path);
    }
    assert!(fixtures.len() >= 12, "{} fixtures", fixtures.len());
}
