//! The PDF reader: any bytes as a `.pdf` (objects, streams, fonts, content operators, page
//! trees) must give a row, never a panic, a hang or unbounded memory. Seeds: LibreOffice and
//! Chromium PDFs of generated reports (`fuzz/seeds/pdf`, streams uncompressed so that the
//! mutations reach the content operators).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let p = gongkai::process("fuzz.pdf", data);
    let _ = p.status();
});
