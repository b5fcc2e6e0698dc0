//! Text normalization that keeps line numbers: line endings, full-width ASCII, odd spaces,
//! and traditional → simplified script (OpenCC dictionaries, phrase level) where needed.

use crate::read::script::{fold_width, script_of, to_simplified, ScriptKind};

/// Full normalization of decoded text. Returns the text and its script. The number of lines
/// never changes, so line numbers point into the decoded source.
pub fn normalize(text: &str) -> (String, ScriptKind) {
    let folded = fold_width(text);
    let (kind, traditional_chars) = script_of(&folded);
    if traditional_chars == 0 {
        return (folded, kind);
    }
    let converted = to_simplified(&folded);
    let converted = if converted.bytes().filter(|&b| b == b'\n').count()
        == folded.bytes().filter(|&b| b == b'\n').count()
    {
        converted
    } else {
        // Never trade line fidelity for conversion: convert line by line instead.
        let lines: Vec<String> = folded.split('\n').map(to_simplified).collect();
        lines.join("\n")
    };
    (mainland_words(converted), kind)
}

/// Words that traditional mirrors rewrote in Taiwan vocabulary (`政府資訊公開` for
/// 政府信息公开, `規範性檔案` for 规范性文件), which the script conversion keeps, back to the
/// forms' own words: the phrases of `data/forms.toml`'s vocabulary, none with a line break.
fn mainland_words(mut text: String) -> String {
    for (from, to) in crate::forms::vocabulary() {
        if text.contains(from.as_str()) {
            text = text.replace(from.as_str(), to);
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::script::ScriptKind;
    use proptest::prelude::*;

    #[test]
    fn converts_traditional_by_phrase() {
        let (s, kind) =
            normalize("行政規範性文件\n收到和處理政府信息公開申請情況\n結轉下年度繼續辦理");
        assert_eq!(kind, ScriptKind::Traditional);
        assert_eq!(
            s,
            "行政规范性文件\n收到和处理政府信息公开申请情况\n结转下年度继续办理"
        );
        let (s, kind) = normalize("主动公开政府信息情况");
        assert_eq!(
            (s.as_str(), kind),
            ("主动公开政府信息情况", ScriptKind::Simplified)
        );
    }

    proptest! {
        #[test]
        fn normalize_is_idempotent(s in "[ -~\t\r\n\u{3000}\u{FF01}-\u{FF5E}\u{00A0}公開政府資訊處理结转行政規範性文件乾隆後后於于|]{0,80}") {
            let once = normalize(&s).0;
            let twice = normalize(&once).0;
            prop_assert_eq!(once, twice);
        }

        #[test]
        fn normalize_keeps_line_count(s in "[ -~\r\n\u{FF01}-\u{FF5E}開關處理\u{2028}]{0,80}") {
            let lines = |t: &str| t.matches('\n').count();
            let expected = s.replace("\r\n", "\n").replace('\r', "\n");
            prop_assert_eq!(lines(&normalize(&s).0), lines(&expected));
        }
    }
}
