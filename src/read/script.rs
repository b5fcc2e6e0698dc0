//! Characters and scripts, the primitives the readers and normalization share: full-width
//! and odd characters folded to what the forms print ([`fold_width`]), which script a text is
//! in ([`script_of`]), and OpenCC's conversions both ways (the real dictionaries, phrase level).

use opencc_fmmseg::OpenCC;
use std::sync::LazyLock;

/// The converter and two bitmaps over the BMP: characters that the traditional → simplified
/// conversion changes (traditional) and characters that s2t changes (simplified). Built once per
/// process from the same dictionaries.
///
/// The conversion is OpenCC's `hk2s`: Hong Kong variant characters back to standard ones
/// (`衞` → `衛`, which `s2hk` mirrors write and plain `t2s` keeps), then `t2s`'s phrases and
/// characters. Taiwan variants are standard traditional characters that `t2s` already maps.
struct Script {
    cc: OpenCC,
    traditional: Vec<u64>,
    simplified: Vec<u64>,
}

static SCRIPT: LazyLock<Script> = LazyLock::new(|| {
    let mut cc = OpenCC::new();
    // Documents are already converted in parallel; the converter's own threads would only contend.
    cc.set_parallel(false);
    let mut traditional = vec![0u64; 0x10000 / 64];
    let mut simplified = vec![0u64; 0x10000 / 64];
    let ranges = [0x3400u32..=0x4DBF, 0x4E00..=0x9FFF, 0xF900..=0xFAFF];
    let mut buf = [0u8; 4];
    for cp in ranges.into_iter().flatten() {
        let Some(c) = char::from_u32(cp) else {
            continue;
        };
        let s = c.encode_utf8(&mut buf);
        if cc.hk2s(s, false) != *s {
            traditional[cp as usize / 64] |= 1 << (cp % 64);
        }
        if cc.s2t(s, false) != *s {
            simplified[cp as usize / 64] |= 1 << (cp % 64);
        }
    }
    Script {
        cc,
        traditional,
        simplified,
    }
});

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScriptKind {
    Simplified,
    Traditional,
    Mixed,
}

impl ScriptKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ScriptKind::Simplified => "simplified",
            ScriptKind::Traditional => "traditional",
            ScriptKind::Mixed => "mixed",
        }
    }
}

/// Classify the script by counting characters only one script uses. Traditional mirrors keep
/// some simplified-only forms (屬于, 補正后), so a clear majority decides.
pub fn script_of(text: &str) -> (ScriptKind, usize) {
    let s = &*SCRIPT;
    let (mut t, mut simp) = (0usize, 0usize);
    // Every character either script changes is U+3400 or above, so only 3-byte UTF-8
    // sequences with a lead byte from E3 need decoding; all other bytes are stepped over.
    let b = text.as_bytes();
    let mut i = 0;
    while i + 2 < b.len() {
        let lead = b[i];
        if !(0xE3..=0xEF).contains(&lead) {
            i += 1;
            continue;
        }
        let cp = ((lead as usize & 0x0F) << 12)
            | ((b[i + 1] as usize & 0x3F) << 6)
            | (b[i + 2] as usize & 0x3F);
        let (word, mask) = (cp / 64, 1u64 << (cp % 64));
        t += (s.traditional[word] & mask != 0) as usize;
        simp += (s.simplified[word] & mask != 0) as usize;
        i += 3;
    }
    let kind = if t == 0 || simp >= 4 * t {
        ScriptKind::Simplified
    } else if simp == 0 || t >= 4 * simp {
        ScriptKind::Traditional
    } else {
        ScriptKind::Mixed
    };
    (kind, t)
}

/// A short text as the forms print it: widths folded and, where it has traditional characters,
/// in simplified script (document normalization without its line bookkeeping; label comparison
/// maps the Taiwan words itself).
pub fn simplified(text: &str) -> String {
    let folded = fold_width(text);
    match script_of(&folded).1 {
        0 => folded,
        _ => to_simplified(&folded),
    }
}

/// Traditional → simplified: OpenCC's `hk2s`, then `t2s` (the converter built once per process).
pub fn to_simplified(s: &str) -> String {
    SCRIPT.cc.hk2s(s, false)
}

/// Traditional conversion (used to know the report vocabulary in both scripts).
pub fn to_traditional(s: &str) -> String {
    SCRIPT.cc.s2t(s, false)
}

/// Bytes that may start a character [`fold_width`] changes: CR and other controls (not tab or
/// newline), and the lead bytes of U+0080–U+00BF (C2), U+2000–U+22FF (E2), U+3000 (E3) and
/// U+FEFF/U+FF01–U+FF5E (EF).
static MAY_CHANGE: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        t[b] = b != b'\t' as usize && b != b'\n' as usize;
        b += 1;
    }
    t[0x7F] = true;
    t[0xC2] = true;
    t[0xE2] = true;
    t[0xE3] = true;
    t[0xEF] = true;
    t
};

/// The Kangxi radicals (U+2F00–U+2FD5) in order, as the ideographs they stand for (their
/// Unicode compatibility mapping).
const KANGXI: &str = "一丨丶丿乙亅二亠人儿入八冂冖冫几凵刀力勹匕匚匸十卜卩厂厶又口囗土士夂夊夕大女子宀寸小尢尸屮山巛工己巾干幺广廴廾弋弓彐彡彳心戈戶手支攴文斗斤方无日曰月木欠止歹殳毋比毛氏气水火爪父爻爿片牙牛犬玄玉瓜瓦甘生用田疋疒癶白皮皿目矛矢石示禸禾穴立竹米糸缶网羊羽老而耒耳聿肉臣自至臼舌舛舟艮色艸虍虫血行衣襾見角言谷豆豕豸貝赤走足身車辛辰辵邑酉釆里金長門阜隶隹雨靑非面革韋韭音頁風飛食首香馬骨高髟鬥鬯鬲鬼魚鳥鹵鹿麥麻黃黍黑黹黽鼎鼓鼠鼻齊齒龍龜龠";

/// The CJK radicals supplement's characters that stand for a whole (mostly simplified)
/// ideograph.
const RADICALS_SUPPLEMENT: [(char, char); 31] = [
    ('⺟', '母'),
    ('⺠', '民'),
    ('⺩', '王'),
    ('⺮', '竹'),
    ('⻁', '虎'),
    ('⻄', '西'),
    ('⻅', '见'),
    ('⻆', '角'),
    ('⻉', '贝'),
    ('⻊', '足'),
    ('⻋', '车'),
    ('⻓', '长'),
    ('⻔', '门'),
    ('⻘', '青'),
    ('⻙', '韦'),
    ('⻚', '页'),
    ('⻛', '风'),
    ('⻜', '飞'),
    ('⻝', '食'),
    ('⻢', '马'),
    ('⻣', '骨'),
    ('⻥', '鱼'),
    ('⻦', '鸟'),
    ('⻧', '卤'),
    ('⻨', '麦'),
    ('⻩', '黄'),
    ('⻪', '黾'),
    ('⻬', '齐'),
    ('⻮', '齿'),
    ('⻰', '龙'),
    ('⻳', '龟'),
];

/// A radical as the ideograph it stands for. PDF fonts that draw 工 and ⼯ with one glyph
/// (Noto CJK) make browsers' PDFs map the glyph back to the radical: `⼯作`, `⾸⻚`.
fn radical(c: char) -> char {
    if ('\u{2F00}'..='\u{2FD5}').contains(&c) {
        return KANGXI.chars().nth(c as usize - 0x2F00).unwrap_or(c);
    }
    RADICALS_SUPPLEMENT
        .iter()
        .find(|(r, _)| *r == c)
        .map_or(c, |(_, ideograph)| *ideograph)
}

/// CRLF/CR → LF, full-width ASCII → ASCII, radicals → ideographs, ideographic and odd spaces → space, zero-width
/// characters and other controls (except tab and newline) removed.
pub fn fold_width(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let bytes = text.as_bytes();
    // Copy runs of text that needs nothing (the common case) in one go.
    let mut run = 0;
    let mut i = 0;
    while i < bytes.len() {
        // Skip bytes that can never change in a tight loop (most of any report).
        while i < bytes.len() && !MAY_CHANGE[bytes[i] as usize] {
            i += 1;
        }
        if i == bytes.len() {
            break;
        }
        // E3 leads U+3000–U+3FFF, where only U+3000 (E3 80 80) changes: 、。「」 stay.
        if bytes[i] == 0xE3 && bytes.get(i + 1..i + 3) != Some(&[0x80, 0x80]) {
            i += 3;
            continue;
        }
        out.push_str(&text[run..i]);
        let c = text[i..].chars().next().expect("i is on a char boundary");
        i += c.len_utf8();
        run = i;
        match c {
            '\r' => {
                if bytes.get(i) != Some(&b'\n') {
                    out.push('\n');
                }
            }
            '\u{FF01}'..='\u{FF5E}' => out.push(char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)),
            '\u{3000}' | '\u{00A0}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' => {
                out.push(' ')
            }
            '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}' => {}
            '\u{2212}' | '\u{2012}' => out.push('-'),
            '\u{2E80}'..='\u{2FD5}' => out.push(radical(c)),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push_str(&text[run..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn radicals_become_ideographs() {
        assert_eq!(
            fold_width("⼯作⾸⻚⼈⺠⽂件⾏政⻔户"),
            "工作首页人民文件行政门户"
        );
    }

    #[test]
    fn folds_width_and_line_endings() {
        assert_eq!(
            fold_width("１２３４\r\n（一）\u{3000}ａ\r"),
            "1234\n(一) a\n"
        );
    }

    /// fold_width, one character at a time (CR LF being the one two-character case): the fast
    /// paths that skip runs of bytes must give what folding each character alone gives.
    fn fold_width_reference(text: &str) -> String {
        let mut out = String::new();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '\r' && chars.peek() == Some(&'\n') {
                continue;
            }
            out.push_str(&fold_width(c.encode_utf8(&mut [0; 4])));
        }
        out
    }

    proptest! {
        #[test]
        fn fold_width_maps_each_character(s in "[\u{0}-\u{3000}\u{3001}-\u{3010}\u{3400}-\u{3410}\u{FEFF}-\u{FF70}開関、。「」\r\n\t]{0,60}") {
            prop_assert_eq!(fold_width(&s), fold_width_reference(&s));
        }

        #[test]
        fn script_of_counts_what_a_char_loop_counts(s in "[ -~\u{80}-\u{3400}開關處理发发后後於于㐀-㒿\u{10000}-\u{10100}]{0,60}") {
            let bit = |map: &[u64], c: char| {
                let cp = c as u32;
                cp < 0x10000 && map[cp as usize / 64] & (1 << (cp % 64)) != 0
            };
            let t = s.chars().filter(|&c| bit(&SCRIPT.traditional, c)).count();
            prop_assert_eq!(script_of(&s).1, t);
        }
    }
}
