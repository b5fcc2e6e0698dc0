//! A small, forgiving HTML reader: tables become rows of cells, everything else becomes text
//! lines, and every piece keeps the source line it starts on. It tolerates omitted end tags,
//! unquoted attributes, upper-case tags, nested tables and `<table>` inside `<script>`.
//!
//! Cells are kept in logical order: a colspan or rowspan never duplicates a cell, because a
//! duplicated value would slide into its neighbour (forms.md §1A, the 上海 colspan quirk).

use crate::model::TCell;

/// Limits that keep hostile input bounded.
const MAX_TABLE_DEPTH: usize = 32;

struct TableState {
    row: Option<u32>,
    cell: Option<(String, u32)>,
}

struct Reader<'a> {
    src: &'a str,
    pos: usize,
    line: u32,
    out: Vec<TCell>,
    next_row: u32,
    tables: Vec<TableState>,
    text: String,
    text_line: u32,
}

pub fn read(src: &str) -> Vec<TCell> {
    let mut r = Reader {
        src,
        pos: 0,
        line: 1,
        out: Vec::new(),
        next_row: 0,
        tables: Vec::new(),
        text: String::new(),
        text_line: 1,
    };
    r.run();
    r.out
}

/// Does the text look like HTML with tables worth reading?
pub fn has_tables(src: &str) -> bool {
    let head = &src.as_bytes()[..src.len().min(1 << 20)];
    head.windows(6).any(|w| w.eq_ignore_ascii_case(b"<table"))
}

impl<'a> Reader<'a> {
    fn run(&mut self) {
        let bytes = self.src.as_bytes();
        while self.pos < bytes.len() {
            let b = bytes[self.pos];
            if b == b'<' {
                self.tag();
            } else if b == b'&' {
                let (s, len) = entity(&self.src[self.pos..]);
                self.push_text(&s);
                self.pos += len;
            } else {
                let start = self.pos;
                while self.pos < bytes.len() && bytes[self.pos] != b'<' && bytes[self.pos] != b'&' {
                    self.pos += 1;
                }
                let chunk = &self.src[start..self.pos];
                for (i, part) in chunk.split('\n').enumerate() {
                    if i > 0 {
                        self.line += 1;
                        self.push_text(" ");
                    }
                    self.push_text(part);
                }
            }
        }
        while !self.tables.is_empty() {
            self.close_table();
        }
        self.flush_text();
    }

    fn advance_to(&mut self, end: usize) {
        self.line += self.src[self.pos..end]
            .bytes()
            .filter(|&b| b == b'\n')
            .count() as u32;
        self.pos = end;
    }

    fn push_text(&mut self, s: &str) {
        let target = match self.tables.last_mut().and_then(|t| t.cell.as_mut()) {
            Some((buf, line)) => {
                if buf.trim().is_empty() && !s.trim().is_empty() {
                    *line = self.line;
                }
                buf
            }
            None => {
                if self.text.trim().is_empty() && !s.trim().is_empty() {
                    self.text_line = self.line;
                }
                &mut self.text
            }
        };
        for c in s.chars() {
            let c = if c.is_whitespace() && c != '\u{3000}' && c != '\u{00A0}' {
                ' '
            } else {
                c
            };
            if c == ' ' && target.ends_with(' ') {
                continue;
            }
            target.push(c);
        }
    }

    fn flush_text(&mut self) {
        let t = self.text.trim().to_string();
        if !t.is_empty() {
            let row = self.new_row();
            self.out.push(TCell {
                text: t,
                line: self.text_line,
                row,
                delimited: true,
                pad: false,
            });
        }
        self.text.clear();
    }

    fn new_row(&mut self) -> u32 {
        self.next_row += 1;
        self.next_row
    }

    fn tag(&mut self) {
        let rest = &self.src[self.pos..];
        if rest.starts_with("<!--") {
            let end = rest
                .find("-->")
                .map(|i| self.pos + i + 3)
                .unwrap_or(self.src.len());
            self.advance_to(end);
            return;
        }
        let bytes = rest.as_bytes();
        let mut i = 1;
        let closing = bytes.get(1) == Some(&b'/');
        if closing {
            i += 1;
        }
        let name_start = i;
        while i < bytes.len() && bytes[i].is_ascii_alphanumeric() {
            i += 1;
        }
        if i == name_start {
            // A lone '<' in text.
            self.push_text("<");
            self.pos += 1;
            return;
        }
        let name = rest[name_start..i].to_ascii_lowercase();
        // Find the end of the tag, honouring quotes.
        let mut quote = 0u8;
        let mut j = i;
        while j < bytes.len() {
            let c = bytes[j];
            if quote != 0 {
                if c == quote {
                    quote = 0;
                }
            } else if c == b'"' || c == b'\'' {
                quote = c;
            } else if c == b'>' {
                break;
            }
            j += 1;
        }
        let attrs = &rest[i..j.min(rest.len())];
        let end = (self.pos + j + 1).min(self.src.len());
        self.advance_to(end);
        if !closing && (name == "script" || name == "style" || name == "textarea") {
            let close = format!("</{name}");
            let lower_rest = &self.src[self.pos..];
            let end = find_ci(lower_rest, &close)
                .map(|k| self.pos + k)
                .unwrap_or(self.src.len());
            self.advance_to(end);
            return;
        }
        self.element(&name, closing, attrs);
    }

    fn element(&mut self, name: &str, closing: bool, _attrs: &str) {
        match (name, closing) {
            ("table", false) => {
                self.close_cell();
                if self.tables.is_empty() {
                    self.flush_text();
                }
                if self.tables.len() < MAX_TABLE_DEPTH {
                    self.tables.push(TableState {
                        row: None,
                        cell: None,
                    });
                }
            }
            ("table", true) if !self.tables.is_empty() => self.close_table(),
            ("tr", _) if !self.tables.is_empty() => {
                self.close_cell();
                self.close_row();
            }
            ("td" | "th", false) => {
                if self.tables.is_empty() {
                    return;
                }
                self.close_cell();
                if self.tables.last().is_some_and(|t| t.row.is_none()) {
                    let r = self.new_row();
                    self.tables.last_mut().unwrap().row = Some(r);
                }
                let line = self.line;
                self.tables.last_mut().unwrap().cell = Some((String::new(), line));
            }
            ("td" | "th", true) => self.close_cell(),
            (
                "br" | "p" | "div" | "li" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "section"
                | "article" | "ul" | "ol" | "dd" | "dt" | "title",
                _,
            ) => {
                // Inside a cell a line break joins the parts (本年新<br>制作数量); outside it ends a line.
                if self.tables.last().is_some_and(|t| t.cell.is_some()) {
                    return;
                }
                if self.tables.is_empty() {
                    self.flush_text();
                }
            }
            _ => {}
        }
    }

    fn close_cell(&mut self) {
        let Some(t) = self.tables.last_mut() else {
            return;
        };
        if let (Some((text, line)), Some(row)) = (t.cell.take(), t.row) {
            self.out.push(TCell {
                text: text.trim().to_string(),
                line,
                row,
                delimited: true,
                pad: false,
            });
        }
    }

    fn close_row(&mut self) {
        if let Some(t) = self.tables.last_mut() {
            t.row = None;
        }
    }

    fn close_table(&mut self) {
        self.close_cell();
        self.close_row();
        self.tables.pop();
    }
}

fn find_ci(hay: &str, needle: &str) -> Option<usize> {
    let n = needle.as_bytes();
    hay.as_bytes()
        .windows(n.len())
        .position(|w| w.eq_ignore_ascii_case(n))
}

/// Decode one entity at the start of `s`; returns the text and how many bytes it used.
fn entity(s: &str) -> (String, usize) {
    let end = s[1..]
        .find(|c: char| c == ';' || c == '&' || c == '<' || c.is_whitespace())
        .map(|i| i + 1);
    let Some(end) = end.filter(|&e| e <= 12 && s.as_bytes().get(e) == Some(&b';')) else {
        return ("&".into(), 1);
    };
    let body = &s[1..end];
    let decoded = if let Some(num) = body.strip_prefix('#') {
        let cp = match num.strip_prefix('x').or_else(|| num.strip_prefix('X')) {
            Some(hex) => u32::from_str_radix(hex, 16).ok(),
            None => num.parse::<u32>().ok(),
        };
        cp.and_then(char::from_u32).map(String::from)
    } else {
        let c = match body {
            "nbsp" | "ensp" | "emsp" | "thinsp" => " ",
            "lt" => "<",
            "gt" => ">",
            "amp" => "&",
            "quot" => "\"",
            "apos" => "'",
            "ldquo" => "“",
            "rdquo" => "”",
            "lsquo" => "‘",
            "rsquo" => "’",
            "mdash" => "—",
            "ndash" => "–",
            "middot" => "·",
            "hellip" => "…",
            "times" => "×",
            "yen" => "¥",
            "minus" => "-",
            "plusmn" => "±",
            "deg" => "°",
            "copy" => "©",
            "reg" => "®",
            "laquo" => "«",
            "raquo" => "»",
            _ => return ("&".into(), 1),
        };
        Some(c.to_string())
    };
    match decoded {
        Some(d) => (d, end + 1),
        None => ("&".into(), 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(src: &str) -> Vec<Vec<String>> {
        let mut out: Vec<Vec<String>> = Vec::new();
        let mut last = None;
        for c in read(src) {
            if last != Some(c.row) {
                out.push(Vec::new());
                last = Some(c.row);
            }
            out.last_mut().unwrap().push(c.text);
        }
        out
    }

    #[test]
    fn tables_rows_cells_and_text() {
        let src = "<p>二、主动公开</p>\n<table><tr><td>规章</td><td colspan=2>1&nbsp;</td>\n<td>2</td></tr>\n<TR><TD>行政许可<TD>3<TD>4</TABLE><p>x &amp; y</p>";
        assert_eq!(
            rows(src),
            vec![
                vec!["二、主动公开"],
                vec!["规章", "1", "2"],
                vec!["行政许可", "3", "4"],
                vec!["x & y"]
            ]
        );
        let cells = read(src);
        assert_eq!(cells.iter().find(|c| c.text == "2").unwrap().line, 3);
    }

    #[test]
    fn script_and_comments_are_not_content() {
        let src = "<script>var t='<table><tr><td>9</td></tr></table>';</script><!-- <td>8</td> --><table><tr><td>本年新<br/>制作数量</td></tr></table>";
        assert_eq!(rows(src), vec![vec!["本年新制作数量"]]);
    }

    #[test]
    fn hostile_markup_does_not_panic() {
        for s in [
            "<",
            "<td>",
            "</table></table><tr>",
            "&#xFFFFFFFF;",
            "&#99999999999;",
            "<table <td",
            "<a href='x>",
            "&",
        ] {
            let _ = read(s);
        }
        let deep = "<table><tr><td>".repeat(1000);
        let _ = read(&deep);
    }
}
