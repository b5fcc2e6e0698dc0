//! Every input of the committed fuzz corpus (fuzz/seeds) goes through `process` and the HTML
//! reader in the normal test run: whatever the fuzzer found interesting stays a regression test.

use std::path::Path;

/// The inputs of one corpus; at least `min` of them (so an emptied directory fails).
fn corpus(name: &str, min: usize) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/seeds")
        .join(name);
    let mut v: Vec<Vec<u8>> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| std::fs::read(e.unwrap().path()).unwrap())
        .collect();
    v.sort();
    assert!(v.len() >= min, "{} holds the corpus", dir.display());
    v
}

/// Word and PDF files the readers were fuzzed from, and every input that once crashed them
/// (`crash-*`): each read as its format, never a panic.
#[test]
fn the_word_and_pdf_corpora_never_panic() {
    for (dir, name) in [("docx", "fuzz.docx"), ("pdf", "fuzz.pdf")] {
        for data in corpus(dir, 5) {
            let p = std::panic::catch_unwind(|| gongkai::process(name, &data));
            assert!(p.is_ok(), "{dir}: an input panics");
        }
    }
}

#[test]
fn the_process_corpus_never_panics() {
    for data in corpus("process", 100) {
        // The same convention as fuzz/fuzz_targets/process.rs.
        let (name, body) = match data.split_first() {
            Some((b, rest)) if b % 2 == 0 => ("fuzz.html", rest),
            Some((_, rest)) => ("fuzz.txt", rest),
            None => ("fuzz.txt", &data[..]),
        };
        let p = gongkai::process(name, body);
        assert!(p.cells.iter().all(|c| c.value.is_none()
            || matches!(
                c.status,
                gongkai::model::CellStatus::Value | gongkai::model::CellStatus::Derived
            )));
    }
}

#[test]
fn the_html_corpus_never_panics() {
    for data in corpus("html", 100) {
        let text = String::from_utf8_lossy(&data);
        let lines = text.matches('\n').count() as u32 + 1;
        assert!(gongkai::read::html::read(&text)
            .iter()
            .all(|c| c.line >= 1 && c.line <= lines));
    }
}
