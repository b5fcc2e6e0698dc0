//! `pipeline.toml` and its overrides. Unknown keys and bad values are one-line errors that
//! name the file, the key and the line.

use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// The dump to read (a directory, searched recursively, or one file).
    pub input: PathBuf,
    /// The dataset directory.
    pub output: PathBuf,
    /// Worker threads, 1 to 1024; absent = one per core.
    pub threads: Option<usize>,
    /// Parquet compression: `zstd`, `snappy` or `none`.
    pub compression: String,
    /// zstd level, 1–22.
    pub zstd_level: i32,
    /// File name patterns read as reports (`*` and `?`); every other file still gets a
    /// `documents` row with `unsupported_format`.
    pub include: Vec<String>,
    /// Files larger than this are not parsed (`too_large`).
    pub max_file_mb: u64,
    /// Documents processed per parallel batch: bounds memory, does not change output.
    pub batch_docs: usize,
    /// Rows per Parquet row group.
    pub row_group_rows: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            input: PathBuf::from("data/sample"),
            output: PathBuf::from("out"),
            threads: None,
            compression: "zstd".into(),
            zstd_level: 3,
            include: [
                "*.txt", "*.html", "*.htm", "*.md", "*.docx", "*.doc", "*.pdf",
            ]
            .map(String::from)
            .to_vec(),
            max_file_mb: 16,
            batch_docs: 256,
            row_group_rows: 128 * 1024,
        }
    }
}

/// A configuration error: one line, says what and where.
#[derive(Debug)]
pub struct ConfigError(pub String);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for ConfigError {}

pub const MAX_THREADS: usize = 1024;

impl Config {
    /// Parse TOML text; `origin` names the file in errors.
    pub fn from_toml(text: &str, origin: &str) -> Result<Config, ConfigError> {
        let cfg: Config = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
            let msg = e.message().replace('\n', " ");
            match line {
                Some(l) => ConfigError(format!("{origin}:{l}: {msg}")),
                None => ConfigError(format!("{origin}: {msg}")),
            }
        })?;
        cfg.check().map_err(|(key, why)| match line_of(text, key) {
            Some(l) => ConfigError(format!("{origin}:{l}: `{key}` {why}")),
            None => ConfigError(format!("{origin}: `{key}` {why}")),
        })?;
        Ok(cfg)
    }

    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| ConfigError(format!("{}: cannot read config: {e}", path.display())))?;
        Config::from_toml(&text, &path.display().to_string())
    }

    /// Check the values (after flags override the file); `origin` names where they came from.
    pub fn validate(&self, origin: &str) -> Result<(), ConfigError> {
        self.check()
            .map_err(|(key, why)| ConfigError(format!("{origin}: `{key}` {why}")))
    }

    /// The first bad value: its key and what is wrong with it.
    fn check(&self) -> Result<(), (&'static str, String)> {
        let bad = |key: &'static str, why: String| Err((key, why));
        if let Some(t) = self.threads.filter(|t| *t == 0 || *t > MAX_THREADS) {
            return bad(
                "threads",
                format!("is {t}, expected 1 to {MAX_THREADS} (leave it out for one per core)"),
            );
        }
        if !matches!(self.compression.as_str(), "zstd" | "snappy" | "none") {
            return bad(
                "compression",
                format!(
                    "is {:?}, expected \"zstd\", \"snappy\" or \"none\"",
                    self.compression
                ),
            );
        }
        if !(1..=22).contains(&self.zstd_level) {
            return bad(
                "zstd_level",
                format!("is {}, expected 1 to 22", self.zstd_level),
            );
        }
        if self.include.is_empty() {
            return bad("include", "is empty: no file would be read".into());
        }
        if self.max_file_mb == 0 || self.max_file_mb > 4096 {
            return bad(
                "max_file_mb",
                format!("is {}, expected 1 to 4096", self.max_file_mb),
            );
        }
        if self.batch_docs == 0 || self.batch_docs > 100_000 {
            return bad(
                "batch_docs",
                format!("is {}, expected 1 to 100000", self.batch_docs),
            );
        }
        if self.row_group_rows < 1024 || self.row_group_rows > 16 * 1024 * 1024 {
            return bad(
                "row_group_rows",
                format!("is {}, expected 1024 to 16777216", self.row_group_rows),
            );
        }
        Ok(())
    }

    pub fn includes(&self, file_name: &str) -> bool {
        self.include
            .iter()
            .any(|p| glob_match(p.as_bytes(), file_name.to_lowercase().as_bytes()))
    }
}

/// The line on which `key` is set in TOML text (a top-level `key = …`).
fn line_of(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .position(|l| {
            l.trim_start()
                .strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .map(|i| i + 1)
}

/// `*` and `?` only; patterns are matched against the lower-cased file name.
fn glob_match(p: &[u8], s: &[u8]) -> bool {
    let (mut pi, mut si, mut star, mut mark) = (0, 0, None, 0);
    while si < s.len() {
        if pi < p.len() && (p[pi] == b'?' || p[pi].to_ascii_lowercase() == s[si]) {
            pi += 1;
            si += 1;
        } else if pi < p.len() && p[pi] == b'*' {
            star = Some(pi);
            mark = si;
            pi += 1;
        } else if let Some(st) = star {
            pi = st + 1;
            mark += 1;
            si = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_key_is_one_line_with_place() {
        let e = Config::from_toml("input = \"x\"\nthreds = 2\n", "pipeline.toml")
            .unwrap_err()
            .0;
        assert!(e.starts_with("pipeline.toml:2:"), "{e}");
        assert!(e.contains("threds") && !e.contains('\n'), "{e}");
    }

    #[test]
    fn bad_values_are_named() {
        let e = Config::from_toml("threads = 100000\n", "p.toml")
            .unwrap_err()
            .0;
        assert!(e.contains("`threads`"), "{e}");
        let e = Config::from_toml("threads = 0\n", "p.toml").unwrap_err().0;
        assert!(e.contains("`threads` is 0"), "{e}");
        let e = Config::from_toml("# codec\ncompression = \"gzip\"\n", "p.toml")
            .unwrap_err()
            .0;
        assert!(e.starts_with("p.toml:2: `compression`"), "{e}");
        let e = Config::from_toml("threads = \"two\"\n", "p.toml")
            .unwrap_err()
            .0;
        assert!(e.contains("p.toml:1"), "{e}");
    }

    #[test]
    fn shipped_pipeline_toml_is_the_default() {
        let cfg = Config::load(Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/pipeline.toml"
        )))
        .unwrap();
        assert_eq!(cfg, Config::default());
    }

    #[test]
    fn globs() {
        let c = Config::default();
        assert!(
            c.includes("a.TXT")
                && c.includes("x.html")
                && c.includes("a.pdf")
                && !c.includes("a.xlsx")
                && !c.includes("txt")
        );
    }
}
