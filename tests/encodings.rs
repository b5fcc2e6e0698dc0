//! The same report in another encoding, with CRLF, with full-width digits or in traditional
//! script gives the same cells as the UTF-8 original.

mod common;
use common::*;
use proptest::prelude::*;

fn same_cells(
    name: &str,
    original: &[u8],
    variant: &[u8],
    with_lines: bool,
) -> gongkai::model::Processed {
    let a = gongkai::process(name, original);
    let b = gongkai::process(name, variant);
    assert_eq!(
        cell_lines(&a, with_lines),
        cell_lines(&b, with_lines),
        "{name}: cells differ"
    );
    assert_eq!(a.checks, b.checks, "{name}: checks differ");
    b
}

fn utf16le_bom(s: &str) -> Vec<u8> {
    [0xFF, 0xFE]
        .into_iter()
        .chain(s.encode_utf16().flat_map(|u| u.to_le_bytes()))
        .collect()
}

#[test]
fn every_encoding_gives_the_same_cells() {
    for (name, bytes) in seeds() {
        let text = String::from_utf8(bytes.clone()).unwrap();
        let (gb, _, unmappable) = encoding_rs::GB18030.encode(&text);
        assert!(!unmappable);
        assert_eq!(
            same_cells(&name, &bytes, &gb, true).info.encoding,
            Some("GB18030")
        );
        assert_eq!(
            same_cells(&name, &bytes, &utf16le_bom(&text), true)
                .info
                .encoding,
            Some("UTF-16LE")
        );
        let bom = [&[0xEF, 0xBB, 0xBF][..], &bytes].concat();
        assert_eq!(
            same_cells(&name, &bytes, &bom, true).info.encoding,
            Some("UTF-8")
        );
    }
}

#[test]
fn big5_traditional_gives_the_same_cells() {
    // Seed 003 is traditional already; the others are converted with OpenCC s2t first.
    let cc = opencc_fmmseg::OpenCC::new();
    let mut checked = Vec::new();
    for (name, bytes) in seeds() {
        let text = String::from_utf8(bytes.clone()).unwrap();
        let trad = cc.s2t(&text, false);
        let (big5, _, unmappable) = encoding_rs::BIG5.encode(&trad);
        if unmappable {
            // Big5 lacks a few characters some seeds use; such a page could not exist in Big5.
            continue;
        }
        let p = same_cells(&name, &bytes, &big5, true);
        assert_eq!(p.info.encoding, Some("Big5"), "{name}");
        assert_eq!(p.info.script, Some("traditional"), "{name}");
        checked.push(name);
    }
    assert!(checked.len() >= 3, "Big5 variants checked: {checked:?}");
}

#[test]
fn crlf_and_full_width_digits_give_the_same_cells() {
    for (name, bytes) in seeds() {
        let text = String::from_utf8(bytes.clone()).unwrap();
        same_cells(&name, &bytes, text.replace('\n', "\r\n").as_bytes(), true);
        let wide: String = text
            .chars()
            .map(|c| {
                if c.is_ascii_digit() {
                    char::from_u32(c as u32 + 0xFEE0).unwrap()
                } else {
                    c
                }
            })
            .collect();
        same_cells(&name, &bytes, wide.as_bytes(), true);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// Text that the encoding can represent decodes back to itself. Detection needs some
    /// Chinese to go on (below about 16 characters it guesses, crates.md §2), so every sample
    /// has a paragraph of it.
    #[test]
    fn encodings_round_trip(head in "[\u{4E00}-\u{9FA5}]{24,60}", tail in "[\u{4E00}-\u{9FA5}a-z0-9 |\n]{0,200}") {
        let s = format!("{head}\n{tail}");
        for enc in [encoding_rs::GB18030, encoding_rs::UTF_8] {
            let (bytes, _, _) = enc.encode(&s);
            let d = gongkai::read::decode::decode(&bytes, false);
            prop_assert_eq!(&d.text, &s);
        }
        let bytes = utf16le_bom(&s);
        let d = gongkai::read::decode::decode(&bytes, false);
        prop_assert_eq!(&d.text, &s);
    }
}
