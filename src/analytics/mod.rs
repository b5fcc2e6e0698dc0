//! Jobs over a finished dataset, on polars: a wide export (one row per report) and an overview
//! report with plots.

pub mod export;
pub mod report;

use anyhow::{Context, Result};
use std::path::Path;

/// Write `to` through a temporary file beside it, renamed over it when `write` succeeded: no one
/// sees half a file, and a failed job leaves what was there.
fn write_beside<T>(to: &Path, write: impl FnOnce(std::fs::File) -> Result<T>) -> Result<T> {
    let name = to
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let tmp = to.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    let file =
        std::fs::File::create(&tmp).with_context(|| format!("cannot write {}", tmp.display()))?;
    let done = write(file).and_then(|t| {
        std::fs::rename(&tmp, to).with_context(|| format!("moving it to {}", to.display()))?;
        Ok(t)
    });
    if done.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    done
}
