//! Bytes → text. BOM first, then `<meta charset>` for HTML, then a BOM-less UTF-16 heuristic,
//! then chardetng on a prefix. Never fails: undecodable bytes become U+FFFD and are counted.

use encoding_rs::{Encoding, BIG5, GB18030, GBK, UTF_16BE, UTF_16LE, UTF_8};

#[derive(Debug)]
pub struct Decoded<'a> {
    /// Borrowed when the input already is UTF-8 (most reports): no copy.
    pub text: std::borrow::Cow<'a, str>,
    /// Name as written in `documents.encoding`.
    pub encoding: &'static str,
    /// Number of U+FFFD introduced by decoding.
    pub replaced: usize,
}

/// How many bytes chardetng looks at; more is slower and rarely changes its mind (crates.md §2).
const DETECT_PREFIX: usize = 4 * 1024;

pub fn decode(bytes: &[u8], is_html: bool) -> Decoded<'_> {
    let (encoding, bom_len) = match Encoding::for_bom(bytes) {
        Some((enc, len)) => (enc, len),
        None => (detect(bytes, is_html), 0),
    };
    let body = &bytes[bom_len..];
    let (text, had_errors) = encoding.decode_without_bom_handling(body);
    // Count replacements only when there were any (U+FFFD already in UTF-8 input is content).
    let replaced = if had_errors {
        text.matches('\u{FFFD}')
            .count()
            .saturating_sub(count_fffd_utf8(body, encoding))
    } else {
        0
    };
    Decoded {
        text,
        encoding: name(encoding),
        replaced,
    }
}

/// U+FFFD already present in valid UTF-8 input is content, not a decoding error.
fn count_fffd_utf8(body: &[u8], enc: &'static Encoding) -> usize {
    if enc != UTF_8 {
        return 0;
    }
    // Literal U+FFFD (EF BF BD) in the input. Only called when the decoder replaced something.
    body.windows(3).filter(|w| *w == [0xEF, 0xBF, 0xBD]).count()
}

fn name(enc: &'static Encoding) -> &'static str {
    // GBK and gb2312 labels decode as GBK in encoding_rs; GB18030 is a superset, report it as such.
    if enc == GBK || enc == GB18030 {
        "GB18030"
    } else if enc == BIG5 {
        "Big5"
    } else {
        enc.name()
    }
}

fn detect(bytes: &[u8], is_html: bool) -> &'static Encoding {
    if std::str::from_utf8(bytes).is_ok() {
        return UTF_8;
    }
    if is_html {
        if let Some(enc) = meta_charset(bytes) {
            // A GBK label is decoded as GB18030, which is a strict superset.
            return if enc == GBK { GB18030 } else { enc };
        }
    }
    if let Some(enc) = utf16_without_bom(bytes) {
        return enc;
    }
    let prefix = &bytes[..bytes.len().min(DETECT_PREFIX)];
    // GB18030 or Big5? Both byte structures accept most of each other's text, but only the right
    // one yields the vocabulary of these reports. This costs two decodes of a 4 KiB prefix;
    // chardetng (about 4 MB/s) is kept for what this cannot settle.
    let (gb, big5) = (
        vocabulary_score(GB18030, prefix),
        vocabulary_score(BIG5, prefix),
    );
    if gb.max(big5) >= MIN_VOCABULARY_HITS && gb != big5 {
        return if gb > big5 { GB18030 } else { BIG5 };
    }
    let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    // `last = false` on a truncated buffer: a cut multi-byte character must not count as an error.
    det.feed(prefix, prefix.len() == bytes.len());
    let guess = det.guess(None, chardetng::Utf8Detection::Allow);
    if guess == GBK || guess == GB18030 {
        return GB18030;
    }
    if guess == BIG5 {
        return BIG5;
    }
    // chardetng rules a CJK encoding out on a single invalid sequence and then answers a Latin
    // one. These documents are Chinese: prefer the CJK decoding that yields the most
    // ideographs, errors counting heavily against it.
    let score = |enc: &'static Encoding| {
        let (text, _) = enc.decode_without_bom_handling(prefix);
        let (mut han, mut bad) = (0i64, 0i64);
        for c in text.chars() {
            match c {
                '\u{4E00}'..='\u{9FFF}' => han += 1,
                '\u{FFFD}' => bad += 1,
                _ => {}
            }
        }
        han - 5 * bad
    };
    [GB18030, BIG5, UTF_8]
        .into_iter()
        .map(|e| (score(e), e))
        .filter(|(s, _)| *s > 0)
        .max_by_key(|(s, _)| *s)
        .map(|(_, e)| e)
        .unwrap_or(guess)
}

/// Hits of report vocabulary needed before the score is trusted.
const MIN_VOCABULARY_HITS: i64 = 8;

/// Characters of the report vocabulary, in both scripts: every Chinese character of the form
/// data (labels, headings, markers) and their traditional forms, plus common function words.
static VOCABULARY: std::sync::LazyLock<Vec<u64>> = std::sync::LazyLock::new(|| {
    let mut text = String::from(include_str!("../../data/forms.toml"));
    text.push_str("的了和在是我局县市区省年月日报告工作情况本机关单位进一步加强推进落实全面建设管理服务平台网站");
    let traditional = crate::read::script::to_traditional(&text);
    let mut bits = vec![0u64; 0x10000 / 64];
    for c in text.chars().chain(traditional.chars()) {
        let cp = c as u32;
        if (0x4E00..0xA000).contains(&cp) {
            bits[cp as usize / 64] |= 1 << (cp % 64);
        }
    }
    bits
});

/// Vocabulary characters in the decoded prefix, minus five per decoding error.
fn vocabulary_score(enc: &'static Encoding, prefix: &[u8]) -> i64 {
    let (text, _) = enc.decode_without_bom_handling(prefix);
    let bits = &*VOCABULARY;
    let mut score = 0i64;
    for c in text.chars() {
        let cp = c as u32;
        if cp == 0xFFFD {
            score -= 5;
        } else if cp < 0x10000 && bits[cp as usize / 64] & (1 << (cp % 64)) != 0 {
            score += 1;
        }
    }
    score
}

/// `<meta charset="gbk">` or `<meta http-equiv=... content="text/html; charset=gb2312">` in the
/// first 4 KiB.
fn meta_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(4096)];
    let lower: Vec<u8> = head.iter().map(|b| b.to_ascii_lowercase()).collect();
    let mut from = 0;
    while let Some(pos) = find(&lower[from..], b"charset") {
        let mut i = from + pos + b"charset".len();
        while i < lower.len() && matches!(lower[i], b' ' | b'=' | b'"' | b'\'') {
            i += 1;
        }
        let start = i;
        while i < lower.len()
            && (lower[i].is_ascii_alphanumeric() || lower[i] == b'-' || lower[i] == b'_')
        {
            i += 1;
        }
        if let Some(enc) = Encoding::for_label(&lower[start..i]) {
            // A page that claims UTF-16 in a meta tag is ASCII-compatible by construction: ignore.
            if enc != UTF_16LE && enc != UTF_16BE {
                return Some(enc);
            }
        }
        from = i.max(from + pos + 1);
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// chardetng never answers UTF-16 (by design), so BOM-less UTF-16 is recognised here: an even
/// length, many NUL bytes on one parity (ASCII, newlines) and a clean decode.
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static Encoding> {
    let sample = &bytes[..bytes.len().min(4096) & !1];
    if sample.len() < 8 {
        return None;
    }
    let even_nul = sample.iter().step_by(2).filter(|&&b| b == 0).count();
    let odd_nul = sample
        .iter()
        .skip(1)
        .step_by(2)
        .filter(|&&b| b == 0)
        .count();
    // ASCII (newlines, digits, `|`) puts NULs on one parity; CJK rarely has a zero byte.
    let enc = if odd_nul >= 4 && odd_nul >= 8 * even_nul {
        UTF_16LE
    } else if even_nul >= 4 && even_nul >= 8 * odd_nul {
        UTF_16BE
    } else {
        return None;
    };
    let (_, had_errors) = enc.decode_without_bom_handling(sample);
    (!had_errors).then_some(enc)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str =
        "二、主动公开政府信息情况\n行政许可 | 244 | -1 | 22446 |\n收到和处理政府信息公开申请情况\n";

    fn encode(enc: &'static Encoding, s: &str) -> Vec<u8> {
        if enc == UTF_16LE {
            return s.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
        }
        enc.encode(s).0.into_owned()
    }

    #[test]
    fn detects_common_encodings() {
        let gb = encode(GB18030, TEXT);
        let d = decode(&gb, false);
        assert_eq!((d.encoding, &*d.text), ("GB18030", TEXT));
        let mut bom = vec![0xFF, 0xFE];
        bom.extend(encode(UTF_16LE, TEXT));
        let d = decode(&bom, false);
        assert_eq!((d.encoding, &*d.text), ("UTF-16LE", TEXT));
        let le = encode(UTF_16LE, TEXT);
        let d = decode(&le, false);
        assert_eq!(
            (d.encoding, &*d.text),
            ("UTF-16LE", TEXT),
            "BOM-less UTF-16"
        );
        let d = decode(TEXT.as_bytes(), false);
        assert_eq!(d.encoding, "UTF-8");
    }

    #[test]
    fn html_meta_charset_wins() {
        let html =
            format!("<html><head><meta charset=\"gb2312\"></head><body>{TEXT}</body></html>");
        let bytes = GB18030.encode(&html).0;
        let d = decode(&bytes, true);
        assert_eq!(d.encoding, "GB18030");
        assert!(d.text.contains("主动公开"));
    }

    #[test]
    fn broken_bytes_are_counted_not_fatal() {
        let mut b = encode(GB18030, TEXT);
        b.extend([0x81, 0x20, 0xFF]);
        let d = decode(&b, false);
        assert!(d.replaced > 0, "{} {:?}", d.encoding, d.text);
    }
}
