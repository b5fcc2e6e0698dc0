//! PDF reports: each page's glyphs with their positions and the ruling lines drawn around table
//! cells, read by a small content-stream interpreter over `lopdf`'s parsed objects, and rebuilt
//! into the HTML the table reader already knows (as `.docx` is): ruled tables become `<table>`
//! rows of logical cells (a merged cell once, in its first row), the text around them `<p>`
//! lines in reading order, page numbers left out. A table continued on the next page is a
//! second `<table>`: the table reader reads rows by their labels, so a repeated header is only
//! a row without a form label.
//!
//! Why our own interpreter: `lopdf`'s text extraction starts a new line at every font change,
//! and LibreOffice changes font subset inside words (`notes/pdf.md`); positions and rules are
//! what rebuild a table, and they come straight from the operators.
//!
//! Hostile files are bounded: streams inflate to [`MAX_STREAM_BYTES`] at most, a document has at
//! most [`MAX_PAGES`] pages and [`MAX_OPS`] operators, form XObjects nest [`MAX_DEPTH`] deep.

use crate::model::Problem;
use lopdf::{Dictionary, Document, Object, ObjectId};
use std::collections::HashMap;

/// Pages beyond which a file is not a report (`too_large`); real reports have 3–40.
pub const MAX_PAGES: usize = 500;
/// Bytes any one stream (page content, font map) may inflate to.
pub const MAX_STREAM_BYTES: usize = 16 << 20;
/// Content-stream operators per document.
pub const MAX_OPS: usize = 4_000_000;
/// Nesting of form XObjects (a loop of them stops here).
const MAX_DEPTH: usize = 6;

/// Whether bytes are a PDF (the header may follow a little junk, as readers allow).
pub fn is_pdf(bytes: &[u8]) -> bool {
    bytes[..bytes.len().min(1024)]
        .windows(5)
        .any(|w| w == b"%PDF-")
}

/// A PDF read into HTML, with its page count.
#[derive(Debug, Clone, PartialEq)]
pub struct PdfHtml {
    pub html: String,
    pub pages: u32,
}

/// Why a PDF gave no text, with its page count when the page tree was read.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PdfFailure {
    pub problem: Problem,
    pub pages: Option<u32>,
}

fn fail(problem: Problem, pages: Option<u32>) -> PdfFailure {
    PdfFailure { problem, pages }
}

/// The document's text as HTML, or the problem that stops it.
pub fn to_html(bytes: &[u8]) -> Result<PdfHtml, PdfFailure> {
    // A file cut short (a download that stopped) ends without `%%EOF`: whatever of it would
    // read is not the whole report.
    let tail = &bytes[bytes.len().saturating_sub(2048)..];
    if !tail.windows(5).any(|w| w == b"%%EOF") {
        return Err(fail(Problem::CorruptPdf, None));
    }
    let options = lopdf::LoadOptions {
        max_decompressed_size: Some(MAX_STREAM_BYTES),
        ..Default::default()
    };
    let doc = match Document::load_mem_with_options(bytes, options) {
        Ok(doc) => doc,
        Err(lopdf::Error::Decryption(_)) | Err(lopdf::Error::InvalidPassword) => {
            return Err(fail(Problem::EncryptedPdf, None))
        }
        Err(lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded { .. })) => {
            return Err(fail(Problem::TooLarge, None))
        }
        Err(_) => return Err(fail(Problem::CorruptPdf, None)),
    };
    if doc.is_encrypted() && doc.encryption_state.is_none() {
        return Err(fail(Problem::EncryptedPdf, None));
    }
    let page_ids: Vec<ObjectId> = doc.page_iter().take(MAX_PAGES + 1).collect();
    if page_ids.len() > MAX_PAGES {
        return Err(fail(Problem::TooLarge, None));
    }
    let pages = page_ids.len() as u32;
    if pages == 0 {
        return Err(fail(Problem::CorruptPdf, Some(0)));
    }
    let mut out = String::from("<html><head><meta charset=\"utf-8\"></head><body>\n");
    let mut budget = MAX_OPS;
    let mut glyphs_seen = 0usize;
    let mut fonts = FontCache::default();
    let mut pages_blocks = Vec::new();
    let mut header_columns = Carried::default();
    for &id in &page_ids {
        let page = read_page(&doc, id, &mut fonts, &mut budget)
            .map_err(|problem| fail(problem, Some(pages)))?;
        glyphs_seen += page.glyphs.len();
        pages_blocks.push(layout_page(&page, &mut header_columns));
    }
    if glyphs_seen == 0 {
        // Pages but no text layer: an image of a report (no OCR here).
        return Err(fail(Problem::ScannedPdf, Some(pages)));
    }
    write_html(&join_split_rows(pages_blocks, &names_label), &mut out);
    out.push_str("</body></html>\n");
    Ok(PdfHtml { html: out, pages })
}

// ---------------------------------------------------------------------------------------------
// Reading a page: glyphs and rules in page space (points, y up).

/// One character placed on the page: `x`, `y` its origin on the baseline, `w` its advance,
/// `size` the font's height on the page.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Glyph {
    pub c: char,
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub size: f32,
}

/// A straight ruling line: horizontal (`y0 == y1`) or vertical (`x0 == x1`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rule {
    pub x0: f32,
    pub y0: f32,
    pub x1: f32,
    pub y1: f32,
}

impl Rule {
    fn horizontal(&self) -> bool {
        self.y0 == self.y1
    }
}

#[derive(Debug, Default)]
pub struct Page {
    pub glyphs: Vec<Glyph>,
    pub rules: Vec<Rule>,
    /// The media box: bottom and top.
    pub bottom: f32,
    pub top: f32,
}

type Matrix = [f32; 6];
const IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

/// `a × b` (apply `a`, then `b`), as the PDF spec writes matrix products.
fn mul(a: &Matrix, b: &Matrix) -> Matrix {
    [
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    ]
}

fn apply(m: &Matrix, x: f32, y: f32) -> (f32, f32) {
    (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])
}

/// What a font says about its codes: their length, their text, their widths (per 1,000 em).
#[derive(Debug, Default)]
struct Font {
    two_byte: bool,
    to_unicode: HashMap<u32, String>,
    widths: HashMap<u32, f32>,
    default_width: f32,
}

impl Font {
    fn width(&self, code: u32) -> f32 {
        self.widths
            .get(&code)
            .copied()
            .unwrap_or(self.default_width)
    }
}

/// Fonts by object id, read once per document.
#[derive(Default)]
struct FontCache {
    by_id: HashMap<ObjectId, std::rc::Rc<Font>>,
}

#[derive(Clone)]
struct GState {
    ctm: Matrix,
    font: Option<std::rc::Rc<Font>>,
    size: f32,
    char_space: f32,
    word_space: f32,
    scale: f32,
    leading: f32,
    rise: f32,
}

impl Default for GState {
    fn default() -> Self {
        GState {
            ctm: IDENTITY,
            font: None,
            size: 0.0,
            char_space: 0.0,
            word_space: 0.0,
            scale: 1.0,
            leading: 0.0,
            rise: 0.0,
        }
    }
}

fn num(o: &Object) -> f32 {
    match o {
        Object::Integer(i) => *i as f32,
        Object::Real(r) => *r,
        _ => 0.0,
    }
}

fn nums<const N: usize>(ops: &[Object]) -> Option<[f32; N]> {
    if ops.len() < N {
        return None;
    }
    let mut out = [0.0; N];
    for (o, v) in out.iter_mut().zip(&ops[ops.len() - N..]) {
        *o = num(v);
    }
    out.iter().all(|v| v.is_finite()).then_some(out)
}

fn read_page(
    doc: &Document,
    id: ObjectId,
    fonts: &mut FontCache,
    budget: &mut usize,
) -> Result<Page, Problem> {
    let dict = doc.get_dictionary(id).map_err(|_| Problem::CorruptPdf)?;
    let media = inherited(doc, dict, b"MediaBox")
        .and_then(|o| o.as_array().ok())
        .map(|a| a.iter().map(|o| num(resolve(doc, o))).collect::<Vec<_>>())
        .filter(|a| a.len() == 4)
        .unwrap_or_else(|| vec![0.0, 0.0, 595.0, 842.0]);
    let mut page = Page {
        bottom: media[1].min(media[3]),
        top: media[1].max(media[3]),
        ..Default::default()
    };
    let content = match doc.get_page_content_with_limit(id, MAX_STREAM_BYTES) {
        Ok(c) => c,
        Err(_) => return Err(Problem::TooLarge),
    };
    let resources = inherited(doc, dict, b"Resources").and_then(|o| o.as_dict().ok());
    let mut interp = Interpreter {
        doc,
        fonts,
        page: &mut page,
        budget,
    };
    interp.run(&content, resources, GState::default(), 0)?;
    Ok(page)
}

/// A page attribute, looked up through the page tree's parents.
fn inherited<'a>(doc: &'a Document, mut dict: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    for _ in 0..32 {
        if let Ok(o) = dict.get(key) {
            return Some(resolve(doc, o));
        }
        dict = dict
            .get(b"Parent")
            .ok()
            .and_then(|p| p.as_reference().ok())
            .and_then(|r| doc.get_dictionary(r).ok())?;
    }
    None
}

fn resolve<'a>(doc: &'a Document, o: &'a Object) -> &'a Object {
    let mut o = o;
    for _ in 0..8 {
        match o {
            Object::Reference(r) => match doc.get_object(*r) {
                Ok(next) => o = next,
                Err(_) => return o,
            },
            _ => return o,
        }
    }
    o
}

fn sub_dict<'a>(
    doc: &'a Document,
    d: Option<&'a Dictionary>,
    key: &[u8],
) -> Option<&'a Dictionary> {
    d.and_then(|d| d.get(key).ok())
        .map(|o| resolve(doc, o))
        .and_then(|o| o.as_dict().ok())
}

struct Interpreter<'a, 'p> {
    doc: &'a Document,
    fonts: &'p mut FontCache,
    page: &'p mut Page,
    budget: &'p mut usize,
}

impl Interpreter<'_, '_> {
    fn run(
        &mut self,
        content: &[u8],
        resources: Option<&Dictionary>,
        start: GState,
        depth: usize,
    ) -> Result<(), Problem> {
        let ops = lopdf::content::Content::decode(content)
            .map(|c| c.operations)
            .unwrap_or_default();
        if ops.len() > *self.budget {
            return Err(Problem::TooLarge);
        }
        *self.budget -= ops.len();
        let font_dict = sub_dict(self.doc, resources, b"Font");
        let mut gs = start;
        let mut stack: Vec<GState> = Vec::new();
        let (mut tm, mut tlm) = (IDENTITY, IDENTITY);
        // The path being built, in page space: its segments and whether each came from `re`.
        let mut path: Vec<Rule> = Vec::new();
        let (mut cur, mut start_pt) = ((0.0f32, 0.0f32), (0.0f32, 0.0f32));
        for op in &ops {
            let o = &op.operands;
            match op.operator.as_str() {
                "q" if stack.len() < 256 => stack.push(gs.clone()),
                "Q" => {
                    if let Some(g) = stack.pop() {
                        gs = g
                    }
                }
                "cm" => {
                    if let Some(m) = nums::<6>(o) {
                        gs.ctm = mul(&m, &gs.ctm)
                    }
                }
                "BT" => {
                    tm = IDENTITY;
                    tlm = IDENTITY;
                }
                "Tf" => {
                    if let (Some(Object::Name(name)), Some(size)) = (o.first(), o.get(1)) {
                        gs.font = font_dict
                            .and_then(|d| d.get(name).ok())
                            .and_then(|f| self.font(f));
                        gs.size = num(size);
                    }
                }
                "Tc" => gs.char_space = o.first().map(num).unwrap_or(0.0),
                "Tw" => gs.word_space = o.first().map(num).unwrap_or(0.0),
                "Tz" => gs.scale = o.first().map(num).unwrap_or(100.0) / 100.0,
                "TL" => gs.leading = o.first().map(num).unwrap_or(0.0),
                "Ts" => gs.rise = o.first().map(num).unwrap_or(0.0),
                "Td" | "TD" => {
                    if let Some([tx, ty]) = nums::<2>(o) {
                        if op.operator == "TD" {
                            gs.leading = -ty;
                        }
                        tlm = mul(&[1.0, 0.0, 0.0, 1.0, tx, ty], &tlm);
                        tm = tlm;
                    }
                }
                "Tm" => {
                    if let Some(m) = nums::<6>(o) {
                        tlm = m;
                        tm = m;
                    }
                }
                "T*" => {
                    tlm = mul(&[1.0, 0.0, 0.0, 1.0, 0.0, -gs.leading], &tlm);
                    tm = tlm;
                }
                "Tj" | "'" | "\"" => {
                    if op.operator != "Tj" {
                        if op.operator == "\"" && o.len() == 3 {
                            gs.word_space = num(&o[0]);
                            gs.char_space = num(&o[1]);
                        }
                        tlm = mul(&[1.0, 0.0, 0.0, 1.0, 0.0, -gs.leading], &tlm);
                        tm = tlm;
                    }
                    if let Some(Object::String(s, _)) = o.last() {
                        self.show(s, &gs, &mut tm);
                    }
                }
                "TJ" => {
                    if let Some(Object::Array(items)) = o.first() {
                        for item in items {
                            match item {
                                Object::String(s, _) => self.show(s, &gs, &mut tm),
                                other => {
                                    let tx = -num(other) / 1000.0 * gs.size * gs.scale;
                                    tm = mul(&[1.0, 0.0, 0.0, 1.0, tx, 0.0], &tm);
                                }
                            }
                        }
                    }
                }
                "m" => {
                    if let Some([x, y]) = nums::<2>(o) {
                        cur = apply(&gs.ctm, x, y);
                        start_pt = cur;
                    }
                }
                "l" => {
                    if let Some([x, y]) = nums::<2>(o) {
                        let p = apply(&gs.ctm, x, y);
                        push_segment(&mut path, cur, p);
                        cur = p;
                    }
                }
                "h" => {
                    push_segment(&mut path, cur, start_pt);
                    cur = start_pt;
                }
                "re" => {
                    if let Some([x, y, w, h]) = nums::<4>(o) {
                        let pts = [(x, y), (x + w, y), (x + w, y + h), (x, y + h)];
                        let pts = pts.map(|(px, py)| apply(&gs.ctm, px, py));
                        let (x0, x1) = (pts[0].0.min(pts[2].0), pts[0].0.max(pts[2].0));
                        let (y0, y1) = (pts[0].1.min(pts[2].1), pts[0].1.max(pts[2].1));
                        if y1 - y0 <= 2.5 && x1 - x0 > y1 - y0 {
                            // A filled thin rectangle is a horizontal rule...
                            let y = (y0 + y1) / 2.0;
                            path.push(Rule {
                                x0,
                                y0: y,
                                x1,
                                y1: y,
                            });
                        } else if x1 - x0 <= 2.5 && y1 - y0 > x1 - x0 {
                            // ...or a vertical one.
                            let x = (x0 + x1) / 2.0;
                            path.push(Rule {
                                x0: x,
                                y0,
                                x1: x,
                                y1,
                            });
                        } else {
                            for i in 0..4 {
                                push_segment(&mut path, pts[i], pts[(i + 1) % 4]);
                            }
                        }
                        cur = pts[0];
                        start_pt = cur;
                    }
                }
                "S" | "s" | "f" | "F" | "f*" | "B" | "B*" | "b" | "b*" => {
                    self.page.rules.append(&mut path);
                }
                "n" => path.clear(),
                "Do" => {
                    if let Some(Object::Name(name)) = o.first() {
                        self.form(name, resources, &gs, depth)?;
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// A form XObject drawn with `Do`: its content, in its own resources and matrix.
    fn form(
        &mut self,
        name: &[u8],
        resources: Option<&Dictionary>,
        gs: &GState,
        depth: usize,
    ) -> Result<(), Problem> {
        if depth >= MAX_DEPTH {
            return Ok(());
        }
        let doc = self.doc;
        let Some(stream) = sub_dict(doc, resources, b"XObject")
            .and_then(|x| x.get(name).ok())
            .map(|o| resolve(doc, o))
            .and_then(|o| o.as_stream().ok())
        else {
            return Ok(());
        };
        if stream.dict.get(b"Subtype").and_then(|s| s.as_name()).ok() != Some(b"Form") {
            return Ok(());
        }
        let content = stream
            .get_plain_content_with_limit(MAX_STREAM_BYTES)
            .map_err(|_| Problem::TooLarge)?;
        let matrix = stream
            .dict
            .get(b"Matrix")
            .ok()
            .and_then(|m| m.as_array().ok())
            .and_then(|a| nums::<6>(a))
            .unwrap_or(IDENTITY);
        let own = stream
            .dict
            .get(b"Resources")
            .ok()
            .map(|o| resolve(doc, o))
            .and_then(|o| o.as_dict().ok())
            .or(resources);
        let mut inner = gs.clone();
        inner.ctm = mul(&matrix, &gs.ctm);
        self.run(&content, own, inner, depth + 1)
    }

    /// The font object a `Tf` names, read once.
    fn font(&mut self, o: &Object) -> Option<std::rc::Rc<Font>> {
        let id = o.as_reference().ok();
        if let Some(f) = id.and_then(|id| self.fonts.by_id.get(&id)) {
            return Some(f.clone());
        }
        let dict = resolve(self.doc, o).as_dict().ok()?;
        let font = std::rc::Rc::new(read_font(self.doc, dict));
        if let Some(id) = id {
            self.fonts.by_id.insert(id, font.clone());
        }
        Some(font)
    }

    /// Places the glyphs of one string and advances the text matrix past them.
    fn show(&mut self, s: &[u8], gs: &GState, tm: &mut Matrix) {
        let Some(font) = gs.font.clone() else { return };
        let step = if font.two_byte { 2 } else { 1 };
        for chunk in s.chunks(step) {
            let code = chunk.iter().fold(0u32, |a, &b| a << 8 | b as u32);
            let trm = mul(
                &[gs.size * gs.scale, 0.0, 0.0, gs.size, 0.0, gs.rise],
                &mul(tm, &gs.ctm),
            );
            let w0 = font.width(code) / 1000.0;
            let mut tx = w0 * gs.size + gs.char_space;
            if step == 1 && code == 32 {
                tx += gs.word_space;
            }
            tx *= gs.scale;
            let (x, y) = (trm[4], trm[5]);
            let size = (trm[2] * trm[2] + trm[3] * trm[3]).sqrt();
            let w = w0 * (trm[0] * trm[0] + trm[1] * trm[1]).sqrt();
            if let Some(text) = font.to_unicode.get(&code) {
                for c in text.chars().filter(|c| !c.is_control()) {
                    self.page.glyphs.push(Glyph { c, x, y, w, size });
                }
            } else if !font.two_byte && (0x20..0x7f).contains(&code) {
                // A simple font with no map: its codes are ASCII (standard encodings agree there).
                let c = char::from(code as u8);
                self.page.glyphs.push(Glyph { c, x, y, w, size });
            }
            *tm = mul(&[1.0, 0.0, 0.0, 1.0, tx, 0.0], tm);
        }
    }
}

/// A segment of a path, kept when it is horizontal or vertical (cell borders are).
fn push_segment(path: &mut Vec<Rule>, a: (f32, f32), b: (f32, f32)) {
    let (dx, dy) = ((a.0 - b.0).abs(), (a.1 - b.1).abs());
    if dy < 0.5 && dx > 0.5 {
        let y = (a.1 + b.1) / 2.0;
        path.push(Rule {
            x0: a.0.min(b.0),
            y0: y,
            x1: a.0.max(b.0),
            y1: y,
        });
    } else if dx < 0.5 && dy > 0.5 {
        let x = (a.0 + b.0) / 2.0;
        path.push(Rule {
            x0: x,
            y0: a.1.min(b.1),
            x1: x,
            y1: a.1.max(b.1),
        });
    }
}

/// A dictionary's entry, references followed.
fn get<'a>(doc: &'a Document, dict: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    dict.get(key).ok().map(|o| resolve(doc, o))
}

/// A dictionary's array entry, references followed.
fn array<'a>(doc: &'a Document, dict: &'a Dictionary, key: &[u8]) -> Option<&'a [Object]> {
    get(doc, dict, key)
        .and_then(|o| o.as_array().ok())
        .map(|v| v.as_slice())
}

fn read_font(doc: &Document, dict: &Dictionary) -> Font {
    let name = |k: &[u8]| {
        dict.get(k)
            .ok()
            .and_then(|o| resolve(doc, o).as_name().ok())
    };
    let type0 = name(b"Subtype") == Some(b"Type0");
    let mut font = Font {
        two_byte: type0,
        default_width: if type0 { 1000.0 } else { 500.0 },
        ..Default::default()
    };
    if let Some(stream) = get(doc, dict, b"ToUnicode").and_then(|o| o.as_stream().ok()) {
        if let Ok(cmap) = stream.get_plain_content_with_limit(MAX_STREAM_BYTES) {
            let (map, two_byte) = parse_to_unicode(&cmap);
            font.to_unicode = map;
            if let Some(two) = two_byte {
                font.two_byte = two;
            }
        }
    }
    if type0 {
        let descendant = array(doc, dict, b"DescendantFonts")
            .and_then(|a| a.first())
            .map(|o| resolve(doc, o))
            .and_then(|o| o.as_dict().ok());
        if let Some(d) = descendant {
            if let Some(dw) = get(doc, d, b"DW") {
                font.default_width = num(dw);
            }
            if let Some(w) = array(doc, d, b"W") {
                cid_widths(doc, w, &mut font.widths);
            }
        }
    } else {
        let first = get(doc, dict, b"FirstChar").map_or(0, |o| num(o) as u32);
        // A Type3 font's widths are in its own glyph space (`FontMatrix`), not 1/1000 em.
        let scale = array(doc, dict, b"FontMatrix")
            .and_then(|m| m.first())
            .map_or(1.0, |a| num(resolve(doc, a)) * 1000.0);
        if let Some(ws) = array(doc, dict, b"Widths") {
            for (i, w) in ws.iter().enumerate().take(256) {
                font.widths
                    .insert(first + i as u32, num(resolve(doc, w)) * scale);
            }
        }
    }
    font
}

/// A CID font's `/W`: `c [w1 w2 …]` and `c_first c_last w`.
fn cid_widths(doc: &Document, w: &[Object], out: &mut HashMap<u32, f32>) {
    let mut i = 0;
    while i < w.len() && out.len() < 65_536 {
        let first = num(resolve(doc, &w[i])) as u32;
        match w.get(i + 1).map(|o| resolve(doc, o)) {
            Some(Object::Array(list)) => {
                for (k, v) in list.iter().enumerate().take(65_536) {
                    out.insert(first + k as u32, num(resolve(doc, v)));
                }
                i += 2;
            }
            Some(last) if i + 2 < w.len() => {
                let last = (num(last) as u32).min(first.saturating_add(65_536));
                let width = num(resolve(doc, &w[i + 2]));
                for c in first..=last {
                    out.insert(c, width);
                }
                i += 3;
            }
            _ => break,
        }
    }
}

/// A `/ToUnicode` CMap: code → text (`bfchar`, `bfrange`), and whether its codes are two bytes
/// (from `codespacerange`, when it says).
pub fn parse_to_unicode(cmap: &[u8]) -> (HashMap<u32, String>, Option<bool>) {
    let text = String::from_utf8_lossy(cmap);
    let mut map = HashMap::new();
    let mut two_byte = None;
    let hex = |t: &str| -> Option<(u32, usize)> {
        let t = t.trim().strip_prefix('<')?.strip_suffix('>')?;
        (t.len() <= 8).then(|| u32::from_str_radix(t, 16).ok().map(|v| (v, t.len() / 2)))?
    };
    let utf16 = |t: &str| -> Option<String> {
        let t = t.trim().strip_prefix('<')?.strip_suffix('>')?;
        // By bytes: a damaged map may hold any text, and four bytes need not be four chars.
        let units: Vec<u16> = t
            .as_bytes()
            .chunks_exact(4)
            .filter_map(|q| u16::from_str_radix(std::str::from_utf8(q).ok()?, 16).ok())
            .collect();
        Some(String::from_utf16_lossy(&units))
    };
    // Tokens: <hex>, [, ], and words.
    let mut tokens: Vec<&str> = Vec::new();
    let mut rest = text.as_ref();
    while let Some(start) = rest.find(|c: char| !c.is_whitespace()) {
        rest = &rest[start..];
        let end = if rest.starts_with('<') {
            rest.find('>').map(|e| e + 1).unwrap_or(rest.len())
        } else if rest.starts_with('[') || rest.starts_with(']') {
            1
        } else {
            rest.find(|c: char| c.is_whitespace() || c == '<' || c == '[' || c == ']')
                .unwrap_or(rest.len())
                .max(1)
        };
        tokens.push(&rest[..end]);
        rest = &rest[end..];
        if tokens.len() > 1_000_000 {
            break;
        }
    }
    let mut i = 0;
    let mut mode = "";
    while i < tokens.len() {
        let t = tokens[i];
        match t {
            "begincodespacerange" | "beginbfchar" | "beginbfrange" => {
                mode = t;
                i += 1;
                continue;
            }
            "endcodespacerange" | "endbfchar" | "endbfrange" => {
                mode = "";
                i += 1;
                continue;
            }
            _ => {}
        }
        match mode {
            "begincodespacerange" => {
                if let Some((_, len)) = hex(t) {
                    two_byte = Some(len >= 2);
                }
                i += 2;
            }
            "beginbfchar" => {
                if let (Some((code, _)), Some(dst)) =
                    (hex(t), tokens.get(i + 1).and_then(|d| utf16(d)))
                {
                    map.insert(code, dst);
                }
                i += 2;
            }
            "beginbfrange" => {
                let (Some((lo, _)), Some((hi, _))) =
                    (hex(t), tokens.get(i + 1).and_then(|d| hex(d)))
                else {
                    i += 1;
                    continue;
                };
                let hi = hi.min(lo.saturating_add(65_535));
                if tokens.get(i + 2) == Some(&"[") {
                    let mut k = i + 3;
                    let mut code = lo;
                    while k < tokens.len() && tokens[k] != "]" {
                        if let Some(dst) = utf16(tokens[k]) {
                            if code <= hi {
                                map.insert(code, dst);
                            }
                        }
                        code += 1;
                        k += 1;
                    }
                    i = k + 1;
                } else {
                    if let Some(base) = tokens.get(i + 2).and_then(|d| utf16(d)) {
                        let mut units: Vec<u16> = base.encode_utf16().collect();
                        for code in lo..=hi {
                            map.insert(code, String::from_utf16_lossy(&units));
                            if let Some(last) = units.last_mut() {
                                *last = last.wrapping_add(1);
                            }
                        }
                    }
                    i += 3;
                }
            }
            _ => i += 1,
        }
    }
    (map, two_byte)
}

// ---------------------------------------------------------------------------------------------
// Laying a page out: tables from the rules, lines from the rest.

/// Rules closer than this (points) are the same line; a glyph this far outside a table's frame
/// is outside it.
const TOL: f32 = 3.0;

/// A table: its column borders left to right, row borders top to bottom, and which borders
/// are drawn between neighbouring grid slots.
struct Grid {
    xs: Vec<f32>,
    ys: Vec<f32>,
    rules: Vec<Rule>,
}

impl Grid {
    fn left(&self) -> f32 {
        self.xs[0]
    }
    fn right(&self) -> f32 {
        *self.xs.last().unwrap()
    }
    fn top(&self) -> f32 {
        self.ys[0]
    }
    fn bottom(&self) -> f32 {
        *self.ys.last().unwrap()
    }
    fn contains(&self, x: f32, y: f32) -> bool {
        x > self.left() - TOL
            && x < self.right() + TOL
            && y < self.top() + TOL
            && y > self.bottom() - TOL
    }
    /// Whether a vertical border is drawn at column border `c` through row slot `r`.
    fn v_border(&self, c: usize, r: usize) -> bool {
        let (x, y) = (self.xs[c], (self.ys[r] + self.ys[r + 1]) / 2.0);
        self.rules
            .iter()
            .any(|l| !l.horizontal() && (l.x0 - x).abs() < TOL && l.y0 < y && l.y1 > y)
    }
    /// Whether a horizontal border is drawn at row border `r` through column slot `c`.
    fn h_border(&self, r: usize, c: usize) -> bool {
        let (y, x) = (self.ys[r], (self.xs[c] + self.xs[c + 1]) / 2.0);
        self.rules
            .iter()
            .any(|l| l.horizontal() && (l.y0 - y).abs() < TOL && l.x0 < x && l.x1 > x)
    }
    fn slot(&self, x: f32, y: f32) -> (usize, usize) {
        let c = self
            .xs
            .iter()
            .take_while(|&&bx| bx <= x)
            .count()
            .clamp(1, self.xs.len() - 1)
            - 1;
        let r = self
            .ys
            .iter()
            .take_while(|&&by| by >= y)
            .count()
            .clamp(1, self.ys.len() - 1)
            - 1;
        (r, c)
    }
}

/// Borders within this span (points) are one: the lines of a double border, or the facing
/// edges of two cell boxes a few points apart (HTML's `cellspacing`: 3 pt from the first line
/// to the last). An empty column can be barely wider (4.5 pt seen), so the span is of the whole
/// group, never chained from line to line.
const MERGE: f32 = 4.0;

/// Positions merged into groups spanning less than [`MERGE`] (sorted; each group at its
/// middle).
fn cluster(mut v: Vec<f32>) -> Vec<f32> {
    v.sort_by(|a, b| a.total_cmp(b));
    let mut groups: Vec<(f32, f32)> = Vec::new();
    for x in v {
        match groups.last_mut() {
            Some(g) if x - g.0 < MERGE => g.1 = x,
            _ => groups.push((x, x)),
        }
    }
    groups.into_iter().map(|(a, b)| (a + b) / 2.0).collect()
}

/// The page's tables: rules joined where they touch; a group with at least two borders each
/// way is a table.
fn grids(rules: &[Rule]) -> Vec<Grid> {
    let n = rules.len().min(20_000);
    let rules = &rules[..n];
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(p: &mut [usize], mut i: usize) -> usize {
        while p[i] != i {
            p[i] = p[p[i]];
            i = p[i];
        }
        i
    }
    let touches = |a: &Rule, b: &Rule| {
        a.x0 <= b.x1 + TOL && b.x0 <= a.x1 + TOL && a.y0 <= b.y1 + TOL && b.y0 <= a.y1 + TOL
    };
    // Sorted by left edge, so only rules whose spans can overlap are compared.
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| rules[a].x0.total_cmp(&rules[b].x0));
    for (k, &i) in order.iter().enumerate() {
        for &j in &order[k + 1..] {
            if rules[j].x0 > rules[i].x1 + TOL {
                break;
            }
            if touches(&rules[i], &rules[j]) {
                let (a, b) = (find(&mut parent, i), find(&mut parent, j));
                parent[a] = b;
            }
        }
    }
    let mut groups: HashMap<usize, Vec<Rule>> = HashMap::new();
    for (i, rule) in rules.iter().enumerate() {
        let root = find(&mut parent, i);
        groups.entry(root).or_default().push(*rule);
    }
    let mut out: Vec<Grid> = groups
        .into_values()
        .filter_map(|rules| {
            let xs = cluster(
                rules
                    .iter()
                    .filter(|r| !r.horizontal())
                    .map(|r| r.x0)
                    .collect(),
            );
            let mut ys = cluster(
                rules
                    .iter()
                    .filter(|r| r.horizontal())
                    .map(|r| r.y0)
                    .collect(),
            );
            ys.reverse();
            (xs.len() >= 2 && ys.len() >= 2).then_some(Grid { xs, ys, rules })
        })
        .collect();
    out.sort_by(|a, b| b.top().total_cmp(&a.top()));
    out
}

/// One block of a page in reading order: a line of text or a table.
pub enum Block {
    Line(String),
    Table(Vec<Vec<TableCell>>),
}

/// A table cell's text and where it stands across the page.
#[derive(Debug, Clone, PartialEq)]
pub struct TableCell {
    pub x0: f32,
    pub x1: f32,
    pub text: String,
}

fn is_cjk(c: char) -> bool {
    c > '\u{2e80}'
}

/// Glyphs on one baseline joined, a space where they stand apart (so numbers in separate
/// places never run together).
fn join_line(glyphs: &mut [Glyph]) -> String {
    glyphs.sort_by(|a, b| a.x.total_cmp(&b.x));
    let mut s = String::new();
    let mut end: Option<f32> = None;
    for g in glyphs.iter() {
        if g.c.is_whitespace() {
            continue;
        }
        if let Some(e) = end {
            if g.x - e > 0.25 * g.size && !s.ends_with(' ') {
                s.push(' ');
            }
        }
        s.push(g.c);
        end = Some(end.map_or(g.x + g.w, |e: f32| e.max(g.x + g.w)));
    }
    s
}

/// Glyphs grouped into lines, top to bottom: same line when their baselines are within
/// 40% of the font size.
fn lines(mut glyphs: Vec<Glyph>) -> Vec<Vec<Glyph>> {
    glyphs.sort_by(|a, b| b.y.total_cmp(&a.y).then(a.x.total_cmp(&b.x)));
    let mut out: Vec<Vec<Glyph>> = Vec::new();
    for g in glyphs {
        match out.last_mut() {
            Some(line) if (line[0].y - g.y).abs() < 0.4 * line[0].size.max(g.size) => line.push(g),
            _ => out.push(vec![g]),
        }
    }
    out
}

/// A page number or a running footer's page mark: `3`, `- 3 -`, `— 3 —`, `第 3 页`, `3/12`.
pub fn is_page_mark(line: &str) -> bool {
    let t: String = line.chars().filter(|c| !c.is_whitespace()).collect();
    let groups = line
        .split(|c: char| !c.is_ascii_digit())
        .filter(|g| !g.is_empty())
        .count();
    (1..=2).contains(&groups)
        && t.chars().count() <= 12
        && t.chars()
            .all(|c| c.is_ascii_digit() || "-—–_/第页共of·.".contains(c))
}

/// The text of one cell: its lines joined. A line that filled the cell's width and runs on
/// into the next (a long number wrapped in a narrow column) is joined without a space; two
/// lines that are separate stay apart by a space, so two numbers never become one.
fn cell_text(glyphs: Vec<Glyph>, width: f32, pad: f32) -> String {
    let mut s = String::new();
    let mut prev_width = 0.0f32;
    for mut line in lines(glyphs) {
        let (x0, x1) = line.iter().fold((f32::MAX, f32::MIN), |(a, b), g| {
            (a.min(g.x), b.max(g.x + g.w))
        });
        let text = join_line(&mut line);
        let first_w = line
            .iter()
            .find(|g| !g.c.is_whitespace())
            .map_or(0.0, |g| g.w);
        if let (Some(a), Some(b)) = (s.chars().last(), text.chars().next()) {
            let wrapped = prev_width + first_w > width - 2.0 * pad - 0.5;
            if !(is_cjk(a) || is_cjk(b) || wrapped) {
                s.push(' ');
            }
        }
        s.push_str(&text);
        prev_width = x1 - x0;
    }
    s
}

/// A page's blocks, top to bottom. `header_columns`: the value columns of the last table
/// header seen, for a table that goes on without one.
fn layout_page(page: &Page, header_columns: &mut Carried) -> Vec<Block> {
    let grids = grids(&page.rules);
    let mut per_table: Vec<Vec<Glyph>> = vec![Vec::new(); grids.len()];
    let mut loose: Vec<Glyph> = Vec::new();
    for g in &page.glyphs {
        let (cx, cy) = (g.x + g.w / 2.0, g.y + g.size * 0.3);
        match grids.iter().position(|t| t.contains(cx, cy)) {
            Some(t) => per_table[t].push(*g),
            None => loose.push(*g),
        }
    }
    let mut blocks: Vec<(f32, Block)> = Vec::new();
    let height = page.top - page.bottom;
    // Text outside ruled tables: lines of fragments (glyphs a column gap apart), read for
    // tables drawn without rules.
    let mut frag_lines: Vec<(f32, Vec<TableCell>)> = Vec::new();
    for mut line in lines(loose) {
        let y = line[0].y;
        let text = join_line(&mut line);
        let margin = y < page.bottom + 0.1 * height || y > page.top - 0.08 * height;
        if text.is_empty() || (margin && is_page_mark(&text)) {
            continue;
        }
        frag_lines.push((y, fragments(&line)));
    }
    let ys: Vec<f32> = frag_lines.iter().map(|l| l.0).collect();
    let lines = frag_lines.into_iter().map(|l| l.1).collect();
    for (first_line, block) in aligned_blocks(lines, &names_label, true, header_columns) {
        blocks.push((ys[first_line], block));
    }
    for (grid, glyphs) in grids.iter().zip(per_table) {
        blocks.push((grid.top(), Block::Table(table_rows(grid, glyphs))));
    }
    blocks.sort_by(|a, b| b.0.total_cmp(&a.0));
    blocks.into_iter().map(|(_, b)| b).collect()
}

/// A line's glyphs (sorted by x) split where they stand a column gap apart (more than 60% of
/// the font size): a table row's cells, or one fragment for running text.
fn fragments(line: &[Glyph]) -> Vec<TableCell> {
    let mut out: Vec<(f32, f32, Vec<Glyph>)> = Vec::new();
    for g in line.iter().filter(|g| !g.c.is_whitespace()) {
        match out.last_mut() {
            Some((_, x1, gs)) if g.x - *x1 <= 0.6 * g.size => {
                *x1 = x1.max(g.x + g.w);
                gs.push(*g);
            }
            _ => out.push((g.x, g.x + g.w, vec![*g])),
        }
    }
    out.into_iter()
        .map(|(x0, x1, mut gs)| TableCell {
            x0,
            x1,
            text: join_line(&mut gs),
        })
        .collect()
}

/// A value as a table prints it: a number (half- or full-width digits, sign, thousands
/// separators, decimals), perhaps with its unit or a percent sign.
pub fn is_value(text: &str) -> bool {
    let t: String = text
        .chars()
        .map(|c| match c {
            '\u{FF10}'..='\u{FF19}' | '\u{FF0B}' | '\u{FF0D}' | '\u{FF0E}' | '\u{FF0C}' => {
                char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
            }
            c => c,
        })
        .collect();
    let t = t
        .trim_end_matches(['%', '元', '万', '萬', '亿', '億'])
        .trim_start_matches(['+', '-']);
    t.starts_with(|c: char| c.is_ascii_digit())
        && t.ends_with(|c: char| c.is_ascii_digit())
        && t.chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
}

/// A line that heads what follows rather than continuing a table: a sub-table's caption
/// (`第二十条第（五）项`) or a section heading (`四、行政复议…`).
fn is_heading(text: &str) -> bool {
    let t = text.trim_start();
    let after_numeral = t.trim_start_matches(|c| "一二三四五六七八九十".contains(c));
    t.starts_with("第二十条")
        || t.starts_with("第二十條")
        || (after_numeral.len() < t.len()
            && after_numeral.starts_with('、')
            && t.chars().count() >= 6)
}

/// Tables drawn without rules, rebuilt from where their text stands; every other line is a
/// line of text. `lines` are top to bottom, each line's fragments left to right; the result
/// names each block's first line.
///
/// A table is a run of lines with several fragments (a header row, or a row with numbers),
/// with the lines of one fragment between them that continue a cell above (a label wrapped in
/// its column; a caption or heading ends the run). A continuing fragment joins the cell above
/// it. Values are placed in columns by the rows that fill every column: their i-th values
/// span the i-th column; a value of a shorter row goes to the one column it overlaps, and a row
/// whose values do not each overlap exactly one column keeps them in one cell (in doubt,
/// never moved to a neighbour's column).
pub fn aligned_blocks(
    lines: Vec<Vec<TableCell>>,
    is_label: &dyn Fn(&str) -> bool,
    exact: bool,
    carried: &mut Carried,
) -> Vec<(usize, Block)> {
    let has_value = |l: &[TableCell]| l.iter().any(|c| is_value(&c.text));
    let line_text = |l: &[TableCell]| {
        l.iter()
            .map(|c| c.text.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut out: Vec<(usize, Block)> = Vec::new();
    let mut i = 0;
    let mut last_blank: Option<usize> = None;
    while i < lines.len() {
        let line = &lines[i];
        if line.is_empty() {
            last_blank = Some(i);
            i += 1;
            continue;
        }
        let heading = !has_value(line) && is_heading(&line_text(line));
        if heading {
            // A section heading ends section 三's table.
            carried.s3_slots = None;
        }
        // A label alone starts a run too where section 三 goes on from the page before (the
        // page begins with a row of empty cells).
        let s3_row = carried.s3_slots.is_some() && line.iter().any(|c| starts_label(&c.text));
        let starts = (line.len() >= 2 || has_value(line) || s3_row) && !heading;
        if !starts {
            out.push((i, Block::Line(line_text(line))));
            i += 1;
            continue;
        }
        // The run: rows, and one-fragment lines continuing them.
        let mut end = i + 1;
        while end < lines.len() {
            let l = &lines[end];
            if !l.is_empty() && !has_value(l) && is_heading(&line_text(l)) {
                break;
            }
            if l.is_empty() {
                // Past a blank line the table goes on only into a block that has a row of its
                // own (numbers, or several cells) and no heading.
                let next: Vec<&Vec<TableCell>> = lines[end + 1..]
                    .iter()
                    .take_while(|l| !l.is_empty())
                    .collect();
                let table_like = next.iter().any(|l| l.len() >= 2 || has_value(l))
                    && !next
                        .iter()
                        .any(|l| !has_value(l) && is_heading(&line_text(l)));
                if !table_like {
                    break;
                }
            }
            end += 1;
        }
        // A run of a single row without numbers is a line of text, not a table.
        if end == i + 1 && !has_value(line) {
            out.push((i, Block::Line(line_text(line))));
            i += 1;
            continue;
        }
        // After a blank line, the lines before a row's numbers are the top of its label
        // (pdftotext centres a row's numbers on its wrapped label).
        let mut start = i;
        if let Some(b) = last_blank {
            while start > b + 1
                && out
                    .last()
                    .is_some_and(|(at, block)| *at == start - 1 && matches!(block, Block::Line(_)))
                && !is_heading(&line_text(&lines[start - 1]))
            {
                out.pop();
                start -= 1;
            }
        }
        out.push((
            start,
            Block::Table(aligned_rows(&lines[start..end], is_label, exact, carried)),
        ));
        i = end;
    }
    out
}

/// What a ruleless table tells the next page's, where it may continue without its header.
#[derive(Default)]
pub struct Carried {
    /// The left edges of the last header's leaf cells over the values.
    leaves: Vec<f32>,
    /// Section 三's column places, while its table goes on (see [`place_by_slots`]).
    s3_slots: Option<Vec<f32>>,
}

/// The rows of one ruleless table (see [`aligned_blocks`]).
/// `exact`: positions are the page's own (a PDF), so a row with empty cells is placed by the
/// columns of the full rows; in text columns (pdftotext) positions drift by a character or
/// two from line to line, so such a row is in doubt.
fn aligned_rows(
    lines: &[Vec<TableCell>],
    is_label: &dyn Fn(&str) -> bool,
    exact: bool,
    carried: &mut Carried,
) -> Vec<Vec<TableCell>> {
    // Where the values begin: left of it are labels.
    let value_x0 = lines
        .iter()
        .flatten()
        .filter(|c| is_value(&c.text))
        .map(|c| c.x0)
        .reduce(f32::min)
        .unwrap_or(f32::MAX);
    let mut rows: Vec<Vec<TableCell>> = Vec::new();
    let mut numeric: Vec<bool> = Vec::new();
    let mut doubt: Vec<bool> = Vec::new();
    // Blank lines (pdftotext's gaps between ruled rows) split the lines into blocks. In a
    // block, each line with numbers is a row; the lines between two of them belong to the
    // one above or the one below: from a line that starts a label (`3.`, `（四）`) on, to
    // the row below; otherwise, when every line of numbers carries its own label (labels
    // top-aligned, wrapping downward: Word), to the row above; otherwise (labels centred on
    // their numbers: browsers) the first half to the row above. Lines before the first row
    // join it when they sit in the label columns, and are header rows otherwise.
    for block in lines.split(|l| l.is_empty()).filter(|b| !b.is_empty()) {
        let is_vline = |l: &Vec<TableCell>| l.iter().any(|c| is_value(&c.text));
        let has_label = |l: &Vec<TableCell>| {
            l.iter()
                .any(|c| !is_value(&c.text) && !is_placeholder(&c.text))
        };
        let v: Vec<usize> = (0..block.len()).filter(|&k| is_vline(&block[k])).collect();
        let lead_in_labels = v.first().is_some_and(|&first| {
            block[..first]
                .iter()
                .all(|l| l.iter().all(|f| f.x1 <= value_x0))
        });
        // Section 三 going on from the page before: the lines before its first number are the
        // labels of rows whose cells are empty (a third label column stands where shallower
        // rows have values), unless a header of its own begins the table again.
        let s3_goes_on = carried.s3_slots.is_some()
            && !block[..v.first().copied().unwrap_or(block.len())]
                .iter()
                .flatten()
                .any(|c| c.text.contains("自然人"));
        let first_row = if lead_in_labels || s3_goes_on {
            0
        } else {
            v.first().copied().unwrap_or(block.len())
        };
        // Header lines (or a block without numbers): rows of their own, a line over the cells
        // of the one above continuing it.
        for line in &block[..first_row] {
            let continues = rows
                .last()
                .is_some_and(|row| line.iter().all(|f| row.iter().any(|c| overlap(c, f) > 0.0)))
                && numeric.last() == Some(&false);
            if continues {
                merge_into(rows.last_mut().expect("checked"), line);
            } else {
                rows.push(line.clone());
                numeric.push(false);
                doubt.push(false);
            }
        }
        if v.is_empty() && !s3_goes_on {
            continue;
        }
        let starts_row = |l: &Vec<TableCell>| {
            l.iter()
                .filter(|c| !is_value(&c.text) && !is_placeholder(&c.text))
                .any(|c| starts_label(&c.text) || is_label(&c.text))
        };
        // Line by line: a line of numbers that starts a label of its own is a new row (labels
        // top-aligned, wrapping downward: Word); one that does not joins the row whose label
        // began on a line above it (labels centred on their numbers: browsers), or is a new
        // row when none did. A line without numbers that starts a label begins a row (a row of
        // blank cells unless numbers join it); any other line continues the row above.
        let mut current: Option<usize> = None;
        let mut waiting: Option<usize> = None; // a row begun by a label, no numbers yet
        let mut value_rows: Vec<(usize, usize)> = Vec::new(); // (line, row)
        for (k, line) in block.iter().enumerate().skip(first_row) {
            if is_vline(line) {
                let r = match waiting.take() {
                    Some(r) if !starts_row(line) => r,
                    _ => {
                        rows.push(Vec::new());
                        numeric.push(true);
                        doubt.push(false);
                        rows.len() - 1
                    }
                };
                merge_into(&mut rows[r], line);
                value_rows.push((k, r));
                current = Some(r);
            } else if starts_row(line) {
                rows.push(line.clone());
                numeric.push(true);
                doubt.push(false);
                waiting = Some(rows.len() - 1);
                current = waiting;
            } else if let Some(r) = current.or(waiting) {
                merge_into(&mut rows[r], line);
            } else {
                rows.push(line.clone());
                numeric.push(false);
                doubt.push(false);
                current = Some(rows.len() - 1);
            }
        }
        // Numbers under other numbers on a line that starts no label of its own: numbers
        // wrapped onto a second line (`１２` over `６２` is 1262) or a row that lost its label;
        // neither row is known.
        for w in value_rows.windows(2) {
            let ((ka, ra), (kb, rb)) = (w[0], w[1]);
            let (above, below) = (&block[ka], &block[kb]);
            let values = |l: &Vec<TableCell>| -> Vec<TableCell> {
                l.iter().filter(|c| is_value(&c.text)).cloned().collect()
            };
            let (va, vb) = (values(above), values(below));
            // Right under (or over) them: in overlapping columns, or on the very next line
            // (text columns only roughly keep a page's positions).
            let under = kb == ka + 1 || vb.iter().any(|b| va.iter().any(|a| overlap(a, b) > 0.0));
            let unlabelled = !has_label(below) && ra == rb;
            let same_row = ra == rb;
            if same_row
                || unlabelled
                || (!starts_row(below) && under && !rows_have_own_label(&rows[rb], below))
            {
                doubt[ra] = true;
                doubt[rb] = true;
            }
        }
    }
    // Columns, from the rows that fill every one. Rows whose labels span different widths
    // (a label over both label columns, or the first of two) start their values at different
    // places: each such shape has its own columns.
    let is_cell_value = |c: &TableCell| is_value(&c.text) || is_placeholder(&c.text);
    let width = rows
        .iter()
        .map(|r| r.iter().filter(|c| is_cell_value(c)).count())
        .max()
        .unwrap_or(0);
    let mut shapes: Vec<Vec<(f32, f32)>> = Vec::new();
    let mut support: Vec<usize> = Vec::new();
    for row in &rows {
        let values: Vec<&TableCell> = row.iter().filter(|c| is_cell_value(c)).collect();
        if width == 0 || values.len() != width {
            continue;
        }
        match shapes
            .iter()
            .position(|s| (s[0].0 - values[0].x0).abs() < 2.0)
        {
            Some(k) => {
                for (col, v) in shapes[k].iter_mut().zip(&values) {
                    *col = (col.0.min(v.x0), col.1.max(v.x1));
                }
                support[k] += 1;
            }
            None => {
                shapes.push(values.iter().map(|v| (v.x0, v.x1)).collect());
                support.push(1);
            }
        }
    }
    // A shape of one row that starts where other rows have a later value is that row's
    // numbers out of place, not a shape of its own (a label spanning more columns starts its
    // values where other rows have labels).
    let out_of_place = |k: usize| {
        let first = shapes[k][0];
        support[k] == 1
            && shapes.iter().enumerate().any(|(j, s)| {
                j != k
                    && support[j] > 1
                    && s[1..]
                        .iter()
                        .any(|c| c.1.min(first.1) - c.0.max(first.0) > 0.0)
            })
    };
    let lone: Vec<Vec<(f32, f32)>> = (0..shapes.len())
        .filter(|&k| out_of_place(k))
        .map(|k| shapes[k].clone())
        .collect();
    shapes = (0..shapes.len())
        .filter(|&k| !out_of_place(k) && shapes[k].windows(2).all(|w| w[0].1 < w[1].0))
        .map(|k| shapes[k].clone())
        .collect();
    // Left edges of the header cells over the values (the header: rows before the first row
    // with numbers; the label column is left of every label of a row with numbers).
    let first_numeric = numeric.iter().position(|&n| n).unwrap_or(rows.len());
    let label_x1 = rows
        .iter()
        .zip(&numeric)
        .filter(|(_, &n)| n)
        .flat_map(|(r, _)| r.iter().filter(|c| !is_cell_value(c)))
        .map(|c| c.x1)
        .fold(f32::MIN, f32::max);
    // Leaf header cells: those with no header cell under them (`自然人`, `商业企业`, not
    // `申请人情况` or `法人或其他组织`). A table continued on the next page without its header
    // keeps the columns of the header before.
    let header = &rows[..first_numeric];
    let all_leaves: Vec<f32> = header
        .iter()
        .enumerate()
        .flat_map(|(i, row)| {
            row.iter()
                .filter(move |c| {
                    !header[i + 1..]
                        .iter()
                        .flatten()
                        .any(|d| overlap(c, d) > 0.0)
                })
                .map(|c| c.x0)
        })
        .collect();
    let leaves: Vec<f32> = all_leaves
        .iter()
        .copied()
        .filter(|&x0| x0 > label_x1 - 1.0)
        .collect();
    // Section 三's table (its header names 自然人) on a page without rules, its zeros printed
    // empty, rows of different label widths: no row fills every column and the header's leaves
    // are not every column's (`总计` over two header rows stands elsewhere). Its columns are the
    // places where values stand (or header leaves), and a row's seven are the seven that end at
    // its rightmost value: a row's total, which every row with a number prints. A table
    // continued on the next page without its header (rows of blank cells before its first
    // number are no header: nothing of theirs stands over the values) keeps the places of the
    // page before.
    if !leaves.is_empty() {
        carried.leaves = cluster_exact(leaves);
        carried.s3_slots =
            (exact && header.iter().flatten().any(|c| c.text.contains("自然人"))).then(Vec::new);
    }
    let header_x0s = carried.leaves.clone();
    let s3_table = carried.s3_slots.is_some();
    let slots = cluster_exact(
        rows.iter()
            .zip(&numeric)
            .filter(|(_, &n)| n)
            .flat_map(|(r, _)| r.iter().filter(|c| is_value(&c.text)).map(|c| c.x0))
            .chain(header_x0s.iter().copied())
            .chain(all_leaves)
            .chain(carried.s3_slots.iter().flatten().copied())
            .collect(),
    );
    if s3_table {
        carried.s3_slots = Some(slots.clone());
    }
    let s3_width = crate::forms::FORMS.s3_metrics.len();
    let any_doubt = doubt.iter().any(|&d| d);
    let header_fits = crate::forms::FORMS
        .value_columns()
        .contains(&header_x0s.len())
        && header_x0s.windows(2).all(|w| w[1] - w[0] >= 10.0);
    rows.into_iter()
        .zip(numeric.into_iter().zip(doubt))
        .map(|(row, (with_values, in_doubt))| {
            if !with_values {
                return row;
            }
            // `００`, `002`: no table prints a leading zero; these are cells run together.
            // A number inside a label's text after a space (`年新收 ７`: the rest of a wrapped
            // number beside a label's wrapped line) means a value is split.
            let glued = row.iter().any(|c| {
                (is_value(&c.text) && has_leading_zero(&c.text))
                    || (!is_value(&c.text)
                        && c.text.split_whitespace().skip(1).any(|w| {
                            w.starts_with(|ch: char| {
                                ch.is_ascii_digit() || ('０'..='９').contains(&ch)
                            })
                        }))
            });
            let in_doubt = in_doubt || glued;
            let split = row.iter().position(is_cell_value).unwrap_or(row.len());
            let (labels, values) = (&row[..split], &row[split..]);
            let mut out = labels.to_vec();
            // On a PDF page whose header stands over as many columns as a form table has, a
            // row's values go by the header's left edges (cells left-aligned): the only way to
            // place a row when no row fills every column.
            if exact && !in_doubt && !values.is_empty() && header_fits {
                if let Some(cells) = place_by_header(values, &header_x0s) {
                    out.extend(cells);
                    return out;
                }
            }
            let label_end = labels.last().map_or(f32::MIN, |c| c.x1);
            if s3_table && !in_doubt && !any_doubt {
                if let Some(cells) = place_by_slots(values, label_end, &slots, s3_width) {
                    out.extend(cells);
                    return out;
                }
            }
            if values.is_empty() {
                // A row with a label and nothing else in a table of numbers: blank cells.
                if let Some(columns) = shapes.first().filter(|_| !in_doubt) {
                    out.extend(columns.iter().map(|c| TableCell {
                        x0: c.0,
                        x1: c.1,
                        text: String::new(),
                    }));
                }
                return out;
            }
            // A full row is taken in order when its values stand where the other full rows of
            // its shape have theirs (the middle of each column's spread).
            let in_place = |values: &[TableCell]| {
                let lone_row = lone.iter().any(|s| (s[0].0 - values[0].x0).abs() < 2.0);
                !lone_row
                    && shapes
                        .iter()
                        .find(|s| (s[0].0 - values[0].x0).abs() < 2.0)
                        .is_none_or(|cols| {
                            values.iter().zip(cols).all(|(v, c)| {
                                let mid = (v.x0 + v.x1) / 2.0;
                                mid >= c.0 && mid <= c.1
                            })
                        })
            };
            if !in_doubt
                && values.iter().all(is_cell_value)
                && values.len() == width
                && in_place(values)
            {
                out.extend(values.iter().cloned());
                return out;
            }
            // A shorter row: the columns of the shape whose values start right of its labels.
            let shape = shapes
                .iter()
                .filter(|s| s[0].0 >= label_end - 2.0)
                .min_by(|a, b| a[0].0.total_cmp(&b[0].0));
            let mut placed: Vec<Option<TableCell>> = vec![None; width];
            let mut fits =
                exact && !in_doubt && shape.is_some() && values.iter().all(is_cell_value);
            if let Some(columns) = shape {
                for v in values {
                    let hits: Vec<usize> = (0..width)
                        .filter(|&k| v.x1.min(columns[k].1) - v.x0.max(columns[k].0) > 0.0)
                        .collect();
                    match hits.as_slice() {
                        [k] if placed[*k].is_none() => placed[*k] = Some(v.clone()),
                        _ => fits = false,
                    }
                }
            }
            match (fits, shape) {
                (true, Some(columns)) => {
                    out.extend(placed.into_iter().enumerate().map(|(k, c)| {
                        c.unwrap_or(TableCell {
                            x0: columns[k].0,
                            x1: columns[k].1,
                            text: String::new(),
                        })
                    }))
                }
                _ => {
                    // In doubt: the rest together in one cell, which no reader takes apart.
                    let text = values
                        .iter()
                        .map(|v| v.text.as_str())
                        .collect::<Vec<_>>()
                        .join(" ");
                    out.push(TableCell {
                        x0: values[0].x0,
                        x1: values[values.len() - 1].x1,
                        text,
                    });
                }
            }
            out
        })
        .collect()
}

/// Positions within a point of each other as one (sorted).
fn cluster_exact(mut v: Vec<f32>) -> Vec<f32> {
    v.sort_by(|a, b| a.total_cmp(b));
    v.dedup_by(|b, a| *b - *a < 1.0);
    v
}

/// A row's values in the header's columns: each value's left edge within a point of exactly
/// one header cell's; None when any is not (centred text, a header that does not say).
fn place_by_header(values: &[TableCell], header_x0s: &[f32]) -> Option<Vec<TableCell>> {
    if header_x0s.len() < values.len() {
        return None;
    }
    let mut placed: Vec<Option<TableCell>> = vec![None; header_x0s.len()];
    for v in values {
        let hits: Vec<usize> = (0..header_x0s.len())
            .filter(|&k| (header_x0s[k] - v.x0).abs() < 1.0)
            .collect();
        match hits.as_slice() {
            [k] if placed[*k].is_none() => placed[*k] = Some(v.clone()),
            _ => return None,
        }
    }
    Some(
        placed
            .into_iter()
            .enumerate()
            .map(|(k, c)| {
                c.unwrap_or(TableCell {
                    x0: header_x0s[k],
                    x1: header_x0s[k],
                    text: String::new(),
                })
            })
            .collect(),
    )
}

/// A section 三 row's values in `width` of the table's column places (`slots`, sorted): the
/// `width` places that end at the row's rightmost value (its total) and begin at the first
/// place right of its labels (both ends pinned: a column no value or header marks, or a place
/// of another kind, shifts one end and the row is not placed), each value within a point of
/// its own place and clear of the next, and, when a cell is empty, the row's own sum holding
/// (the first `width - 1` add up to the last). None otherwise. An empty row gets `width` blank
/// cells.
fn place_by_slots(
    values: &[TableCell],
    label_end: f32,
    slots: &[f32],
    width: usize,
) -> Option<Vec<TableCell>> {
    let at = |x: f32| slots.iter().position(|&s| (s - x).abs() < 1.0);
    let blank = |k: usize| TableCell {
        x0: slots[k],
        x1: slots[k],
        text: String::new(),
    };
    let first = slots.iter().position(|&s| s >= label_end - 1.0)?;
    let Some(last) = values.last() else {
        return (first + width <= slots.len()).then(|| (first..first + width).map(blank).collect());
    };
    let end = at(last.x0)?;
    let start = (end + 1).checked_sub(width)?;
    if start != first {
        return None;
    }
    let mut placed: Vec<Option<TableCell>> = vec![None; width];
    for v in values {
        if !is_value(&v.text) {
            return None;
        }
        let k = at(v.x0).filter(|k| (start..=end).contains(k))? - start;
        if slots.get(start + k + 1).is_some_and(|&next| v.x1 > next) {
            return None;
        }
        if placed[k].replace(v.clone()).is_some() {
            return None;
        }
    }
    let number = |c: &Option<TableCell>| -> Option<f64> {
        c.as_ref().map_or(Some(0.0), |c| {
            crate::read::script::fold_width(&c.text)
                .replace(',', "")
                .parse()
                .ok()
        })
    };
    // A row with every cell filled has one placement; one with empty cells is trusted only
    // when its sum holds (a report's own sum error leaves such a row NULL, in doubt).
    let numbers: Vec<f64> = placed.iter().map(number).collect::<Option<_>>()?;
    let parts: f64 = numbers[..width - 1].iter().sum();
    if values.len() < width && (parts - numbers[width - 1]).abs() > 1e-6 {
        return None;
    }
    Some(
        placed
            .into_iter()
            .enumerate()
            .map(|(k, c)| c.unwrap_or_else(|| blank(start + k)))
            .collect(),
    )
}

fn overlap(a: &TableCell, b: &TableCell) -> f32 {
    a.x1.min(b.x1) - a.x0.max(b.x0)
}

/// A line's fragments joined to the cells of a row: each to the cell it overlaps most, or as
/// a cell of its own where it overlaps none.
fn merge_into(row: &mut Vec<TableCell>, line: &[TableCell]) {
    for f in line {
        match (0..row.len())
            .filter(|&k| overlap(&row[k], f) > 0.0)
            .max_by(|&a, &b| overlap(&row[a], f).total_cmp(&overlap(&row[b], f)))
        {
            Some(k) => {
                let cell = &mut row[k];
                cell.text.push_str(&f.text);
                cell.x0 = cell.x0.min(f.x0);
                cell.x1 = cell.x1.max(f.x1);
            }
            None => {
                let at = row.iter().take_while(|c| c.x0 < f.x0).count();
                row.insert(at, f.clone());
            }
        }
    }
}

/// Whether text (in either script) names the start of a form label.
pub fn names_label(text: &str) -> bool {
    crate::forms::is_label_start(&crate::read::script::simplified(text))
}

/// Whether a row has label text beyond what one line of numbers brought (a label that began
/// on a line of its own above them).
fn rows_have_own_label(row: &[TableCell], line: &[TableCell]) -> bool {
    let row_labels: String = row
        .iter()
        .filter(|c| !is_value(&c.text))
        .map(|c| c.text.as_str())
        .collect();
    let line_labels: String = line
        .iter()
        .filter(|c| !is_value(&c.text))
        .map(|c| c.text.as_str())
        .collect();
    row_labels.chars().count() > line_labels.chars().count()
}

/// Whether text starts a label of its own: an enumerator (`3.`, `３．`, `（四）`, `(2)`, `四、`).
fn starts_label(text: &str) -> bool {
    let t: String = text
        .trim_start()
        .chars()
        .take(6)
        .map(|c| match c {
            '\u{FF10}'..='\u{FF19}' | '\u{FF0E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '（' => '(',
            '）' => ')',
            c => c,
        })
        .collect();
    let numeral = |c: char| c.is_ascii_digit() || "一二三四五六七八九十".contains(c);
    let n = t.chars().take_while(|&c| numeral(c)).count();
    if n > 0 {
        return matches!(t.chars().nth(n), Some('.' | '、'));
    }
    let inner = t.strip_prefix('(').unwrap_or("");
    let m = inner.chars().take_while(|&c| numeral(c)).count();
    m > 0 && inner.chars().nth(m) == Some(')')
}

/// A number written with a leading zero (`00`, `０３`, not `0` or `0.5`).
fn has_leading_zero(text: &str) -> bool {
    let digits: Vec<char> = text
        .chars()
        .map(|c| match c {
            '\u{FF10}'..='\u{FF19}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            c => c,
        })
        .skip_while(|c| matches!(c, '+' | '-'))
        .collect();
    digits.first() == Some(&'0') && digits.get(1).is_some_and(|c| c.is_ascii_digit())
}

/// What a table prints in an empty cell.
fn is_placeholder(text: &str) -> bool {
    matches!(
        text.trim(),
        "-" | "—" | "——" | "–" | "－" | "/" | "／" | "无" | "\\"
    )
}

/// Whether a cell's text starts a row of its own: an enumerator (`3.`, `（六）`, `四、`) or a
/// digit. A fragment that starts with neither continues a row cut by the page break.
fn starts_row(text: &str) -> bool {
    let mut chars = text.chars();
    match chars.next() {
        None => false,
        Some(c) if c.is_ascii_digit() || "（(一二三四五六七八九十".contains(c) => true,
        Some(_) => false,
    }
}

/// A table row cut by a page break: the first row of a page's first block, when that block is
/// a table, the page before ended with one, and the row's texts (no digits among them) each
/// start no row of their own, name no row label and sit under a cell of the page's last row, is
/// the rest of that row: each text joins the cell above it (`（七）` + `总计`, `结` + `果维持`).
fn join_split_rows(pages: Vec<Vec<Block>>, is_label: &dyn Fn(&str) -> bool) -> Vec<Block> {
    let mut out: Vec<Block> = Vec::new();
    for page in pages {
        let mut first = true;
        for mut block in page {
            if std::mem::take(&mut first) {
                if let (Some(Block::Table(prev)), Block::Table(rows)) = (out.last_mut(), &mut block)
                {
                    // The cell above: the last row's cell overlapping most across the page.
                    let above = |last: &[TableCell], cell: &TableCell| {
                        let overlap = |c: &TableCell| c.x1.min(cell.x1) - c.x0.max(cell.x0);
                        (0..last.len())
                            .max_by(|&a, &b| overlap(&last[a]).total_cmp(&overlap(&last[b])))
                            .filter(|&i| overlap(&last[i]) > 0.0)
                    };
                    let fragments: Vec<&TableCell> = rows
                        .first()
                        .map(|row| row.iter().filter(|c| !c.text.is_empty()).collect())
                        .unwrap_or_default();
                    let continues = match prev.last() {
                        Some(last) => {
                            !fragments.is_empty()
                                && fragments.iter().all(|f| {
                                    !f.text.chars().any(|c| c.is_ascii_digit())
                                        && !starts_row(&f.text)
                                        && !is_label(&f.text)
                                        && above(last, f).is_some()
                                })
                        }
                        None => false,
                    };
                    if continues {
                        let row = rows.remove(0);
                        let last = prev.last_mut().expect("checked");
                        for f in row.into_iter().filter(|c| !c.text.is_empty()) {
                            let i = above(last, &f).expect("checked");
                            last[i].text.push_str(&f.text);
                        }
                        if rows.is_empty() {
                            continue;
                        }
                    }
                }
            }
            out.push(block);
        }
    }
    out
}

/// Blocks as the HTML the table reader knows.
pub fn write_html(blocks: &[Block], out: &mut String) {
    for block in blocks {
        match block {
            Block::Line(text) => {
                out.push_str("<p>");
                out.push_str(&escape(text));
                out.push_str("</p>\n");
            }
            Block::Table(rows) => {
                out.push_str("<table>\n");
                for row in rows {
                    out.push_str("<tr>");
                    for cell in row {
                        out.push_str("<td>");
                        out.push_str(&escape(&cell.text));
                        out.push_str("</td>");
                    }
                    out.push_str("</tr>\n");
                }
                out.push_str("</table>\n");
            }
        }
    }
}

/// A table's logical cells, row by row: grid slots joined where no border is drawn between
/// them; each cell's glyphs are those whose centre falls in it.
fn table_rows(grid: &Grid, glyphs: Vec<Glyph>) -> Vec<Vec<TableCell>> {
    let (nr, nc) = (grid.ys.len() - 1, grid.xs.len() - 1);
    // owner[r][c]: the cell (index into `cells`) covering slot (r, c).
    let mut owner = vec![vec![usize::MAX; nc]; nr];
    let mut cells: Vec<(usize, usize, usize, usize)> = Vec::new(); // r0, c0, r1, c1 (exclusive)
    for r in 0..nr {
        for c in 0..nc {
            if owner[r][c] != usize::MAX {
                continue;
            }
            let mut c1 = c + 1;
            while c1 < nc && owner[r][c1] == usize::MAX && !grid.v_border(c1, r) {
                c1 += 1;
            }
            let mut r1 = r + 1;
            while r1 < nr && (c..c1).all(|k| owner[r1][k] == usize::MAX && !grid.h_border(r1, k)) {
                r1 += 1;
            }
            for row in owner.iter_mut().take(r1).skip(r) {
                for slot in row.iter_mut().take(c1).skip(c) {
                    *slot = cells.len();
                }
            }
            cells.push((r, c, r1, c1));
        }
    }
    let mut content: Vec<Vec<Glyph>> = vec![Vec::new(); cells.len()];
    for g in glyphs {
        let (r, c) = grid.slot(g.x + g.w / 2.0, g.y + g.size * 0.3);
        content[owner[r][c]].push(g);
    }
    // Cell padding: the least distance from a cell's left border to its text, table-wide.
    let pad = cells
        .iter()
        .zip(&content)
        .filter_map(|(&(_, c0, _, _), gs)| {
            gs.iter()
                .map(|g| g.x)
                .reduce(f32::min)
                .map(|x| x - grid.xs[c0])
        })
        .reduce(f32::min)
        .unwrap_or(0.0)
        .max(0.0);
    let mut rows: Vec<Vec<TableCell>> = (0..nr).map(|_| Vec::new()).collect();
    for (&(r0, c0, r1, c1), gs) in cells.iter().zip(content) {
        // An empty slot without a border on every side is outside the table (a narrower
        // table under a wider one shares the grid), not a blank cell.
        let enclosed = (r0..r1).any(|r| grid.v_border(c0, r))
            && (r0..r1).any(|r| grid.v_border(c1, r))
            && (c0..c1).any(|c| grid.h_border(r0, c))
            && (c0..c1).any(|c| grid.h_border(r1, c));
        if gs.is_empty() && !enclosed {
            continue;
        }
        let (x0, x1) = (grid.xs[c0], grid.xs[c1]);
        rows[r0].push(TableCell {
            x0,
            x1,
            text: cell_text(gs, x1 - x0, pad),
        });
    }
    rows.retain(|r| !r.is_empty());
    rows
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn to_unicode_maps_chars_and_ranges() {
        let cmap = b"1 begincodespacerange <0000> <FFFF> endcodespacerange
2 beginbfchar <0001> <4E00> <0002> <00660069> endbfchar
1 beginbfrange <0010> <0012> <0030> endbfrange
1 beginbfrange <0020> <0021> [<0041> <0042>] endbfrange";
        let (map, two) = parse_to_unicode(cmap);
        assert_eq!(two, Some(true));
        assert_eq!(map[&1], "一");
        assert_eq!(map[&2], "fi");
        assert_eq!((map[&0x10].as_str(), map[&0x12].as_str()), ("0", "2"));
        assert_eq!((map[&0x20].as_str(), map[&0x21].as_str()), ("A", "B"));
    }

    #[test]
    fn page_marks_are_recognised() {
        for s in ["3", "- 3 -", "— 12 —", "第 3 页", "第3页 共12页", "3/12"] {
            assert!(is_page_mark(s), "{s}");
        }
        for s in ["2020年", "规章 3", "12345678901234", "0   0   1   0"] {
            assert!(!is_page_mark(s), "{s}");
        }
    }

    fn glyph(c: char, x: f32, y: f32) -> Glyph {
        Glyph {
            c,
            x,
            y,
            w: 6.0,
            size: 12.0,
        }
    }

    #[test]
    fn a_wrapped_number_is_one_and_two_lines_are_two() {
        // A 12-pt-wide cell (pad 1): "1" fills it, "2" continues on the next line.
        let wrapped = vec![glyph('1', 1.0, 100.0), glyph('2', 1.0, 86.0)];
        assert_eq!(cell_text(wrapped, 12.0, 1.0), "12");
        // The same two lines in a wide cell are two numbers.
        let apart = vec![glyph('1', 1.0, 100.0), glyph('2', 1.0, 86.0)];
        assert_eq!(cell_text(apart, 60.0, 1.0), "1 2");
    }

    fn frag(x0: f32, text: &str) -> TableCell {
        TableCell {
            x0,
            x1: x0 + 6.0 * text.chars().count() as f32,
            text: text.to_string(),
        }
    }

    fn texts(blocks: &[(usize, Block)]) -> Vec<Vec<String>> {
        blocks
            .iter()
            .flat_map(|(_, b)| match b {
                Block::Table(rows) => rows
                    .iter()
                    .map(|r| r.iter().map(|c| c.text.clone()).collect())
                    .collect(),
                Block::Line(l) => vec![vec![l.clone()]],
            })
            .collect()
    }

    #[test]
    fn a_ruleless_row_with_empty_cells_goes_by_the_header() {
        // Word, no borders, zeros printed empty: no row fills every column; the header's left
        // edges place the numbers (exact positions only).
        let lines = vec![
            vec![
                frag(72.0, "信息内容"),
                frag(189.0, "本年制发件数"),
                frag(306.0, "本年废止件数"),
                frag(423.0, "现行有效件数"),
            ],
            vec![frag(72.0, "规章"), frag(306.0, "479"), frag(423.0, "855")],
            vec![
                frag(72.0, "行政规范性文件"),
                frag(189.0, "24"),
                frag(423.0, "11"),
            ],
        ];
        let t = texts(&aligned_blocks(
            lines.clone(),
            &names_label,
            true,
            &mut Default::default(),
        ));
        assert_eq!(t[1], ["规章", "", "479", "855"]);
        assert_eq!(t[2], ["行政规范性文件", "24", "", "11"]);
        // In text columns (pdftotext) positions drift: the numbers are not placed by them (the
        // row stays two numbers short of three cells, which the table reader leaves NULL).
        let t = texts(&aligned_blocks(
            lines,
            &names_label,
            false,
            &mut Default::default(),
        ));
        assert!(t[1].len() < 4 && !t[1].contains(&String::new()), "{t:?}");
    }

    /// Section 三 as LibreOffice prints a Word table without borders whose zeros are empty:
    /// `总计` of the two-row header stands over 科研机构's column, no row fills every column,
    /// rows under a group label start their values one column further right.
    fn s3_page_one() -> Vec<Vec<TableCell>> {
        vec![
            vec![frag(72.1, "（本列"), frag(118.9, "申请人情况")],
            vec![
                frag(72.1, "数据的"),
                frag(118.9, "自然人"),
                frag(165.7, "法人或"),
                frag(212.5, "总计"),
            ],
            vec![
                frag(165.7, "商业企"),
                frag(212.5, "科研机"),
                frag(259.3, "社会公"),
                frag(306.1, "法律服"),
                frag(352.9, "其他"),
            ],
            vec![
                frag(72.1, "一、本"),
                frag(165.7, "2"),
                frag(212.5, "3"),
                frag(399.7, "5"),
            ],
            vec![frag(72.1, "年新收")],
            vec![frag(72.1, "二、上"), frag(352.9, "3"), frag(399.7, "3")],
            vec![
                frag(72.1, "（三）"),
                frag(118.9, "4.保护"),
                frag(399.7, "1"),
                frag(446.5, "1"),
            ],
            vec![frag(118.9, "5.属于"), frag(212.5, "2"), frag(446.5, "2")],
            vec![frag(118.9, "6.属于"), frag(212.5, "2"), frag(446.5, "3")],
        ]
    }

    #[test]
    fn ruleless_section_3_rows_go_by_their_total_and_their_labels() {
        let mut carried = Carried::default();
        let t = texts(&aligned_blocks(
            s3_page_one(),
            &names_label,
            true,
            &mut carried,
        ));
        let row = |label: &str| t.iter().find(|r| r[0].starts_with(label)).unwrap().clone();
        assert_eq!(
            row("一、本"),
            ["一、本年新收", "", "2", "3", "", "", "", "5"]
        );
        assert_eq!(row("二、上"), ["二、上", "", "", "", "", "", "3", "3"]);
        assert_eq!(
            row("（三）"),
            ["（三）", "4.保护", "", "", "", "", "", "1", "1"]
        );
        assert_eq!(row("5.属于"), ["5.属于", "", "2", "", "", "", "", "2"]);
        // Its own sum fails (2 ≠ 3): not placed, its numbers together in one cell.
        assert_eq!(row("6.属于"), ["6.属于", "2 3"]);
        // The next page, no header: the same places; a row of empty cells is one.
        let page_two = vec![
            vec![frag(118.9, "7.属于")],
            vec![frag(118.9, "8.属于"), frag(259.3, "4"), frag(446.5, "4")],
        ];
        let t = texts(&aligned_blocks(page_two, &names_label, true, &mut carried));
        assert_eq!(t[0], ["7.属于", "", "", "", "", "", "", ""]);
        assert_eq!(t[1], ["8.属于", "", "", "4", "", "", "", "4"]);
        // A section heading ends the table: what follows is not placed by its places.
        let after = vec![
            vec![frag(72.1, "四、政府信息公开行政复议、行政诉讼情况")],
            vec![frag(118.9, "8.属于"), frag(259.3, "4"), frag(446.5, "4")],
        ];
        let t = texts(&aligned_blocks(after, &names_label, true, &mut carried));
        assert!(t.iter().all(|r| r.len() < 8), "{t:?}");
    }

    #[test]
    fn ruleless_section_3_rows_are_not_placed_when_a_column_is_unknown() {
        // No header leaf and no value marks 社会公益组织's column: the seven places ending at a
        // row's total would start at its labels, so no row is placed.
        let mut lines = s3_page_one();
        lines[2].retain(|c| c.text != "社会公");
        let t = texts(&aligned_blocks(
            lines,
            &names_label,
            true,
            &mut Default::default(),
        ));
        let row = t.iter().find(|r| r[0].starts_with("（三）")).unwrap();
        assert_eq!(row, &["（三）", "4.保护", "1 1"]);
    }

    #[test]
    fn numbers_wrapped_under_numbers_are_in_doubt() {
        // `１２` over `６２` in a narrow column is 1262, or two rows: either way not 12.
        let lines = vec![
            vec![
                frag(0.0, "一、本年新收"),
                frag(40.0, "１２５８"),
                frag(80.0, "０"),
                frag(100.0, "１２"),
            ],
            vec![frag(0.0, "量"), frag(100.0, "６２")],
        ];
        let t = texts(&aligned_blocks(
            lines,
            &names_label,
            true,
            &mut Default::default(),
        ));
        assert!(
            t.iter().all(|row| !row.contains(&"１２".to_string())),
            "{t:?}"
        );
    }

    #[test]
    fn hostile_bytes_are_problems() {
        assert_eq!(
            to_html(b"%PDF-1.4\n garbage").unwrap_err().problem,
            Problem::CorruptPdf
        );
        assert_eq!(to_html(b"").unwrap_err().problem, Problem::CorruptPdf);
    }
}

#[cfg(test)]
mod probe {
    #[test]
    #[ignore]
    fn dump_rules() {
        let bytes = std::fs::read(std::env::var("PDF").unwrap()).unwrap();
        let doc = lopdf::Document::load_mem(&bytes).unwrap();
        let mut fonts = super::FontCache::default();
        let mut budget = super::MAX_OPS;
        for (n, id) in doc.page_iter().enumerate() {
            let page = super::read_page(&doc, id, &mut fonts, &mut budget).unwrap();
            if std::env::var("RULES").is_ok() {
                let mut xs: Vec<f32> = page
                    .rules
                    .iter()
                    .filter(|r| !r.horizontal())
                    .map(|r| r.x0)
                    .collect();
                xs.sort_by(|a, b| a.total_cmp(b));
                xs.dedup_by(|a, b| (*a - *b).abs() < 0.01);
                println!("page {n} raw xs {xs:?}");
            }
            for g in super::grids(&page.rules) {
                println!("page {n} xs {:?}\n ys {:?}", g.xs, g.ys);
                for r in 0..g.ys.len() - 1 {
                    let v: Vec<u8> = (0..g.xs.len()).map(|c| g.v_border(c, r) as u8).collect();
                    println!("  row {r} v {:?}", v);
                }
                for r in 0..g.ys.len() {
                    let h: Vec<u8> = (0..g.xs.len() - 1)
                        .map(|c| g.h_border(r, c) as u8)
                        .collect();
                    println!("  border {r} h {:?}", h);
                }
            }
        }
    }
}
