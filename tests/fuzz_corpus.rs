//! Every input of the committed fuzz corpus (fuzz/seeds) goes through `process` and the HTML
//! reader in the normal test run: whatever the fuzzer found interesting stays a regression test.

use std::path::Path;

fn corpus(name: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/seeds")
        .join(name);
    let mut v: Vec<Vec<u8>> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| std::fs::read(e.unwrap().path()).unwrap())
        .collect();
    v.sort();
    assert!(v.len() > 100, "{} holds the corpus", dir.display());
    v
}

#[test]
fn the_process_corpus_never_panics() {
    for data in corpus("process") {
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
    for data in corpus("html") {
        let text = String::from_utf8_lossy(&data);
        let lines = text.matches('\n').count() as u32 + 1;
        assert!(gongkai::html::read(&text)
            .iter()
            .all(|c| c.line >= 1 && c.line <= lines));
    }
}
