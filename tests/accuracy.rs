//! The accuracy harness: a few thousand generated reports with known truth, every cell
//! compared. A larger run: `cargo run --release -- accuracy --docs 100000`.

use gongkai::synth;

#[test]
fn generated_reports_are_read_exactly() {
    let n = std::env::var("GONGKAI_ACCURACY_DOCS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3000);
    let (score, _) = synth::accuracy(n, 20261123);
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
