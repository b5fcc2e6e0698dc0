//! The accuracy harness: a few thousand generated reports with known truth, every cell
//! compared. A larger run: `cargo run --release -- accuracy --docs 100000`.

use gongkai::synth;

fn docs(default: usize) -> usize {
    std::env::var("GONGKAI_ACCURACY_DOCS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// What every document must get right, whatever its rendering.
fn assert_never_wrong(score: &synth::Score) {
    assert_eq!(score.invented, 0, "a number where the document states none");
    assert_eq!(score.wrong, 0, "a number other than the stated one");
    assert_eq!(
        score.flagged, score.must_flag,
        "every injected source error is flagged where its rows are read"
    );
    assert_eq!(
        score.false_flags, 0,
        "no check fails on a consistent document"
    );
    assert_eq!(score.form_version_right, score.documents);
    assert_eq!(score.year_right, score.documents);
    assert_eq!(score.agency_right, score.documents);
}

#[test]
fn generated_reports_are_read_exactly() {
    let (scores, _) = synth::accuracy(synth::Generator::new(20261123), docs(3000), 0, &|_| {});
    println!("{}", scores.report());
    assert_never_wrong(&scores.all);
    for (rendering, score) in &scores.by_rendering {
        if !rendering.starts_with("glued") {
            assert_eq!(
                score.missed, 0,
                "{rendering}: a recoverable number left NULL"
            );
        }
    }
    // Every OpenCC simplified→traditional configuration mirrors use, read back exactly.
    for config in ["s2t", "s2tw", "s2twp", "s2hk", "s2hkp"] {
        let s = &scores.by_rendering[&format!("traditional via OpenCC {config}")];
        assert!(
            s.documents > 0 && s.exact + s.unrecoverable_null == s.truth_cells,
            "{config}"
        );
    }
}

/// Glued page text (issue: tags stripped with no separator), both forms, every glue.
#[test]
fn glued_page_text_is_read_without_a_wrong_number() {
    let (scores, _) = synth::accuracy(synth::Generator::glued(20261129), docs(1200), 0, &|_| {});
    println!("{}", scores.report());
    assert_never_wrong(&scores.all);
    assert!(scores.all.documents >= 1000);
    for glue in ["glued", "glued_spaced", "glued_lines"] {
        // Reports that print every cell: most cells settled by the arithmetic.
        let s = &scores.by_rendering[glue];
        let exact = s.exact as f64 / s.truth_cells as f64;
        assert!(exact >= 0.90, "{glue}: {:.1}% exact", 100.0 * exact);
        // Reports that print zeros as empty cells: NULL where a cell left no trace.
        let s = &scores.by_rendering[&format!("{glue} (zeros printed empty)")];
        assert!(s.documents > 0);
    }
}

/// Report pages inside 100–350 KB of site chrome (menus, scripts with dates and `<table>`
/// strings, footers with years and record numbers): read exactly, year and agency right.
#[test]
fn report_pages_inside_site_chrome_are_read_exactly() {
    let (scores, _) = synth::accuracy(synth::Generator::site_pages(7), docs(150), 0, &|_| {});
    assert_never_wrong(&scores.all);
    assert_eq!(scores.all.missed, 0);
    assert_eq!(
        scores.all.exact + scores.all.unrecoverable_null,
        scores.all.truth_cells
    );
}

#[test]
fn the_generator_is_deterministic() {
    let a: Vec<Vec<u8>> = (0..50)
        .map({
            let mut g = synth::Generator::new(5);
            move |i| g.document(i).bytes
        })
        .collect();
    let mut g = synth::Generator::new(5);
    let b: Vec<Vec<u8>> = (0..50).map(|i| g.document(i).bytes).collect();
    assert_eq!(a, b);
}

/// `accuracy` streams: its peak memory does not grow with the number of documents.
#[test]
fn accuracy_memory_is_bounded() {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args(["accuracy", "--docs", "6000", "--seed", "3"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // SAFETY: getrusage fills the struct it is given. This test binary's only child is the one
    // above, so the children's peak is its peak.
    let peak_kib = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage);
        usage.ru_maxrss
    };
    println!("accuracy --docs 6000: peak RSS {} MiB", peak_kib / 1024);
    // Holding every generated document and its result took ~65 KiB each (390 MiB here).
    assert!(peak_kib < 250 * 1024, "peak RSS {peak_kib} KiB");
}
