//! Bytes in, rows out: `process` must never panic, hang or allocate without bound, whatever
//! the bytes. The first byte picks the file kind so both the text and the HTML paths are hit.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (name, body) = match data.split_first() {
        Some((b, rest)) if b % 2 == 0 => ("fuzz.html", rest),
        Some((_, rest)) => ("fuzz.txt", rest),
        None => ("fuzz.txt", data),
    };
    let p = gongkai::process(name, body);
    // Invariants that hold for every document.
    for c in &p.cells {
        assert!(c.value.is_none() || matches!(c.status, gongkai::model::CellStatus::Value | gongkai::model::CellStatus::Derived));
    }
    let _ = p.status();
});
