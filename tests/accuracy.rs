//! The accuracy harness: a few thousand generated reports with known truth, every cell
//! compared. A larger run: `cargo run --release -- accuracy --docs 100000`.

use gongkai::synth;

#[test]
fn generated_reports_are_read_exactly() {
    let n = std::env::var("GONGKAI_ACCURACY_DOCS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3000);
    let (score, _) = synth::accuracy(n, 20261123, 0, &|_| {});
    println!("{}", score.report());
    assert_eq!(score.invented, 0, "a number where the document states none");
    assert_eq!(score.wrong, 0, "a number other than the stated one");
    assert_eq!(score.missed, 0, "a recoverable number left NULL");
    assert_eq!(
        score.flagged, score.must_flag,
        "every injected source error is flagged"
    );
    assert_eq!(
        score.false_flags, 0,
        "no check fails on a consistent document"
    );
    assert_eq!(score.form_version_right, score.documents);
    assert_eq!(score.year_right, score.documents);
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
