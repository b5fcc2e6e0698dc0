//! The HTML table reader on arbitrary text: no panic, no hang, cells in source order.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let cells = gongkai::read::html::read(&text);
    let lines = text.matches('\n').count() as u32 + 1;
    for c in &cells {
        assert!(c.line >= 1 && c.line <= lines, "line {} of {}", c.line, lines);
    }
});
