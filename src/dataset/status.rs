//! `gongkai status`: what a dataset holds, from its manifest.

use crate::dataset::sink::Manifest;
use anyhow::{bail, Result};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;

pub fn status(out: &Path) -> Result<String> {
    let Some(m) = Manifest::read(out)? else {
        bail!(
            "{}: no gongkai dataset here (no _manifest.json)",
            out.display()
        );
    };
    let mut s = String::new();
    writeln!(s, "dataset {}", out.display())?;
    let mut years: BTreeMap<i32, u64> = BTreeMap::new();
    for f in m.files.iter().filter(|f| f.table == "documents") {
        *years.entry(f.year).or_default() += f.rows;
    }
    let docs: u64 = years.values().sum();
    writeln!(s, "documents: {docs}")?;
    let ys: Vec<String> = years.iter().map(|(y, n)| format!("{y}: {n}")).collect();
    writeln!(s, "by year: {}", ys.join(", "))?;
    let mut by_status: BTreeMap<&str, u64> = BTreeMap::new();
    let mut by_form: BTreeMap<&str, u64> = BTreeMap::new();
    let (mut cells, mut failed) = (0, 0);
    for r in &m.runs {
        for (k, v) in &r.by_status {
            *by_status.entry(k).or_default() += v;
        }
        for (k, v) in &r.by_form {
            *by_form.entry(k).or_default() += v;
        }
        cells += r.cells;
        failed += r.checks_failed;
        // Superseded rows were rows of earlier runs for files that could not be read (status
        // `failed`, form `unknown`); they are no longer in the dataset.
        for (counts, key) in [(&mut by_status, "failed"), (&mut by_form, "unknown")] {
            if let Some(n) = counts.get_mut(key) {
                *n = n.saturating_sub(r.superseded);
            }
        }
    }
    by_status.retain(|_, n| *n > 0);
    by_form.retain(|_, n| *n > 0);
    let bs: Vec<String> = by_status.iter().map(|(k, v)| format!("{k} {v}")).collect();
    writeln!(s, "by status: {}", bs.join(", "))?;
    let bf: Vec<String> = by_form.iter().map(|(k, v)| format!("{k} {v}")).collect();
    writeln!(s, "by form: {}", bf.join(", "))?;
    writeln!(s, "cells: {cells}; checks failed: {failed}")?;
    let mut files: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    let mut per_partition: BTreeMap<(&str, i32), u64> = BTreeMap::new();
    for f in &m.files {
        let e = files.entry(f.table.as_str()).or_default();
        e.0 += 1;
        e.1 += f.bytes;
        *per_partition.entry((f.table.as_str(), f.year)).or_default() += 1;
    }
    let fs: Vec<String> = files
        .iter()
        .map(|(t, (n, b))| {
            let most = per_partition
                .iter()
                .filter(|((table, _), _)| table == t)
                .map(|(_, n)| *n)
                .max()
                .unwrap_or(0);
            format!(
                "{t} {n} ({:.1} MB, at most {most} in a partition)",
                *b as f64 / 1e6
            )
        })
        .collect();
    writeln!(s, "files: {}", fs.join(", "))?;
    if per_partition.values().any(|n| *n > 2) {
        writeln!(
            s,
            "  (`gongkai compact` rewrites partitions of many files into few)"
        )?;
    }
    writeln!(s, "runs:")?;
    for r in &m.runs {
        if r.kind == "compact" {
            writeln!(
                s,
                "  {} compact {} -> {} files",
                r.run_id,
                r.finished,
                r.files.len()
            )?;
            continue;
        }
        writeln!(
            s,
            "  {} {} {} -> {} documents from {}",
            r.run_id, r.kind, r.finished, r.documents_written, r.input
        )?;
        for d in &r.not_followed {
            writeln!(s, "    not followed: {d}")?;
        }
    }
    Ok(s)
}
