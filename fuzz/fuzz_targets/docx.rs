//! The Word reader: any bytes as a `.docx` (zip, XML, merges) must give a row, never a panic,
//! a hang or unbounded memory. Seeds: generated `.docx` reports (`fuzz/seeds/docx`).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let p = gongkai::process("fuzz.docx", data);
    let _ = p.status();
});
