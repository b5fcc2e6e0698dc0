//! Plain data types passed between the stages. Nothing here does I/O.

use std::fmt;

/// Which official form a table (or a document) follows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FormVersion {
    V2019,
    V2021,
    Legacy,
    #[default]
    Unknown,
}

impl FormVersion {
    pub fn as_str(self) -> &'static str {
        match self {
            FormVersion::V2019 => "2019",
            FormVersion::V2021 => "2021",
            FormVersion::Legacy => "legacy",
            FormVersion::Unknown => "unknown",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "2019" => Some(FormVersion::V2019),
            "2021" => Some(FormVersion::V2021),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Section {
    S2,
    S3,
    S4,
}

impl Section {
    pub fn as_str(self) -> &'static str {
        match self {
            Section::S2 => "s2",
            Section::S3 => "s3",
            Section::S4 => "s4",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellStatus {
    Value,
    Blank,
    Missing,
    Unparsed,
    Derived,
}

impl CellStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CellStatus::Value => "value",
            CellStatus::Blank => "blank",
            CellStatus::Missing => "missing",
            CellStatus::Unparsed => "unparsed",
            CellStatus::Derived => "derived",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Count,
    TenKYuan,
}

impl Unit {
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Count => "count",
            Unit::TenKYuan => "10k_yuan",
        }
    }
}

/// One row of the `cells` table.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub form_version: FormVersion,
    pub section: Section,
    pub item: &'static str,
    pub metric: &'static str,
    pub value: Option<f64>,
    pub status: CellStatus,
    pub raw: Option<String>,
    pub unit: Unit,
    pub line: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Pass,
    Fail,
    Skipped,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::Skipped => "skipped",
        }
    }
}

/// One row of the `checks` table.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    pub check: &'static str,
    pub expected: Option<f64>,
    pub actual: Option<f64>,
    pub reason: Option<&'static str>,
    pub outcome: Outcome,
}

/// What a problem does to the document's `status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Effect {
    /// Recorded, status unchanged.
    Note,
    /// Some tables or values are missing or in doubt.
    Partial,
    /// No form tables in the document.
    NoTables,
    /// Nothing could be read.
    Failed,
}

macro_rules! problems {
    ($($variant:ident = $code:literal, $effect:ident;)*) => {
        /// The closed set of per-document problem codes (`documents.problems`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Problem { $($variant,)* }
        impl Problem {
            pub fn code(self) -> &'static str { match self { $(Problem::$variant => $code,)* } }
            pub fn effect(self) -> Effect { match self { $(Problem::$variant => Effect::$effect,)* } }
        }
    };
}

problems! {
    UnsupportedFormat = "unsupported_format", Failed;
    EmptyFile = "empty_file", Failed;
    BinaryContent = "binary_content", Failed;
    ReadError = "read_error", Failed;
    TooLarge = "too_large", Failed;
    Undecodable = "undecodable", Failed;
    InternalError = "internal_error", Failed;
    TooComplex = "too_complex", Failed;
    NotARegularFile = "not_a_regular_file", Failed;
    CorruptDocx = "corrupt_docx", Failed;
    LegacyDoc = "legacy_doc", Failed;
    CorruptPdf = "corrupt_pdf", Failed;
    EncryptedPdf = "encrypted_pdf", Failed;
    ScannedPdf = "scanned_pdf", Failed;
    DecodeReplaced = "decode_replaced", Note;
    LegacyReport = "legacy_report", NoTables;
    NoReportTables = "no_report_tables", NoTables;
    MissingSection = "missing_section", Partial;
    MissingCells = "missing_cells", Partial;
    UnparsedCells = "unparsed_cells", Partial;
    MisalignedRow = "misaligned_row", Partial;
    GluedAmbiguous = "glued_ambiguous", Partial;
    DuplicateRow = "duplicate_row", Partial;
    AmbiguousUnit = "ambiguous_unit", Partial;
    UnknownFormVersion = "unknown_form_version", Partial;
    MixedFormVersions = "mixed_form_versions", Note;
    ChecksFailed = "checks_failed", Note;
    NoYear = "no_year", Note;
    YearConflict = "year_conflict", Note;
    NoAgency = "no_agency", Note;
    RegionUnresolved = "region_unresolved", Note;
    AmbiguousRegion = "ambiguous_region", Note;
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    Ok,
    Partial,
    NoTables,
    Failed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Partial => "partial",
            Status::NoTables => "no_tables",
            Status::Failed => "failed",
        }
    }
    /// `status` is derived from the problems, never set by hand.
    pub fn from_problems(problems: &[Problem]) -> Status {
        match problems.iter().map(|p| p.effect()).max() {
            Some(Effect::Failed) => Status::Failed,
            Some(Effect::NoTables) => Status::NoTables,
            Some(Effect::Partial) => Status::Partial,
            _ => Status::Ok,
        }
    }
}

/// Where the document came from, what it is, who wrote it: the `documents` columns that
/// `process` determines (the sink adds paths, duplicates and the run id).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DocInfo {
    pub year: Option<i32>,
    pub form_version: Option<FormVersion>,
    pub agency: Option<String>,
    pub province: Option<String>,
    pub prefecture: Option<String>,
    pub county: Option<String>,
    pub region_code: Option<String>,
    pub encoding: Option<&'static str>,
    pub script: Option<&'static str>,
    pub layout: Option<&'static str>,
    /// Pages of a PDF (the other formats have none).
    pub pages: Option<u32>,
}

/// Everything `process` learns from one document.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Processed {
    pub info: DocInfo,
    pub problems: Vec<Problem>,
    pub cells: Vec<Cell>,
    pub checks: Vec<Check>,
}

impl Processed {
    pub fn failed(problem: Problem) -> Self {
        Processed {
            problems: vec![problem],
            ..Default::default()
        }
    }
    pub fn status(&self) -> Status {
        Status::from_problems(&self.problems)
    }
    pub fn add(&mut self, p: Problem) {
        if !self.problems.contains(&p) {
            self.problems.push(p);
        }
    }
    pub fn n_values(&self) -> usize {
        self.cells
            .iter()
            .filter(|c| {
                matches!(c.status, CellStatus::Value | CellStatus::Derived) && c.value.is_some()
            })
            .count()
    }
    /// The ids of the checks that failed, in evaluation order.
    pub fn failed_checks(&self) -> Vec<&'static str> {
        self.checks
            .iter()
            .filter(|c| c.outcome == Outcome::Fail)
            .map(|c| c.check)
            .collect()
    }
    pub fn n_checks_failed(&self) -> usize {
        self.failed_checks().len()
    }
}

/// The text of a cell that a reader found but whose value it could not settle (the readings
/// that keep the form's arithmetic disagree on it): NULL downstream, status `unparsed`. Written
/// by the glued and `pdftotext -layout` readers, carried as text because the latter hands its
/// tables on as HTML.
pub const IN_DOUBT: &str = "\u{FFFD}";

/// A cell of text as a layout gives it: what the readers (HTML tables) and the layout
/// tokenizer (`parse::segment`) hand to the row extractor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TCell {
    pub text: String,
    /// 1-based line in the decoded source where the text starts.
    pub line: u32,
    /// Row id; cells of one table row share it when `delimited`.
    pub row: u32,
    pub delimited: bool,
    /// Padding that ends a row: an empty cell from a line of several `|` in the cell-per-line
    /// layout (`||||`). Never a data cell.
    pub pad: bool,
}
