//! A mixed dump through the real binary, read back by a real DuckDB.

mod common;
use common::*;
use serde_json::Value;
use std::path::Path;

/// Seeds, copies, other encodings, HTML, markdown, legacy, not-a-report and broken files.
fn mixed_dump(dir: &Path) -> Vec<String> {
    let mut files = Vec::new();
    let mut put = |rel: &str, bytes: &[u8]| {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, bytes).unwrap();
        files.push(rel.to_string());
    };
    for (name, bytes) in seeds() {
        put(&format!("seeds/{name}"), &bytes);
    }
    let (_, s000) = seed("000");
    put("zz_mirror/copy_of_000.txt", &s000);
    let (_, s001) = seed("001");
    put(
        "gbk/001_gb18030.txt",
        &encoding_rs::GB18030
            .encode(std::str::from_utf8(&s001).unwrap())
            .0,
    );
    let mut g = gongkai::synth::Generator::new(7);
    let (mut html, mut md, mut legacy) = (false, false, false);
    for i in 0..200 {
        let d = g.document(i);
        let want = match d.truth.layout.as_str() {
            "html" if !html && d.truth.form_version == "2019" => {
                html = true;
                true
            }
            "markdown" if !md => {
                md = true;
                true
            }
            "" if !legacy => {
                legacy = true;
                true
            }
            _ => false,
        };
        if want {
            put(&format!("synth/{}", d.path.replace('/', "_")), &d.bytes);
        }
    }
    assert!(html && md && legacy);
    put(
        "other/notice.txt",
        "关于召开2021年度工作会议的通知\n各单位:定于3月5日召开会议,请准时参加。\n".as_bytes(),
    );
    put(
        "other/report.pdf",
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n",
    );
    put("other/sheet.xlsx", b"PK\x03\x04 a spreadsheet");
    put("other/empty.txt", b"");
    put(
        "other/scan.txt",
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x10\x08\x02\0\0\0",
    );
    files.sort();
    files
}

fn rows(v: &Value) -> &Vec<Value> {
    v.as_array().unwrap()
}

#[test]
fn duckdb_reads_the_dataset() {
    let tmp = temp_dir("dataset");
    let input = tmp.join("dump");
    let out = tmp.join("out");
    let files = mixed_dump(&input);
    let o = build_output(&input, &out, &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let summary = String::from_utf8_lossy(&o.stderr);
    assert!(
        summary.contains("documents written"),
        "summary line: {summary}"
    );

    // Column names and types, exactly as the contract says.
    let types = |t: &str| -> Vec<(String, String)> {
        rows(&duckdb(
            &out,
            &format!("select column_name, column_type from (describe {t})"),
        ))
        .iter()
        .map(|r| {
            (
                r["column_name"].as_str().unwrap().to_string(),
                r["column_type"].as_str().unwrap().to_string(),
            )
        })
        .collect()
    };
    let docs = types("documents");
    let expect_docs = [
        ("doc_id", "VARCHAR"),
        ("source_path", "VARCHAR"),
        ("duplicate_paths", "VARCHAR[]"),
        ("form_version", "VARCHAR"),
        ("agency", "VARCHAR"),
        ("province", "VARCHAR"),
        ("prefecture", "VARCHAR"),
        ("county", "VARCHAR"),
        ("region_code", "VARCHAR"),
        ("encoding", "VARCHAR"),
        ("script", "VARCHAR"),
        ("layout", "VARCHAR"),
        ("status", "VARCHAR"),
        ("problems", "VARCHAR[]"),
        ("n_cells", "INTEGER"),
        ("n_values", "INTEGER"),
        ("n_checks_failed", "INTEGER"),
        ("bytes", "BIGINT"),
        ("run_id", "VARCHAR"),
    ];
    for (name, ty) in expect_docs {
        assert!(
            docs.contains(&(name.to_string(), ty.to_string())),
            "documents.{name} {ty} in {docs:?}"
        );
    }
    for (t, cols) in [
        (
            "cells",
            vec![
                ("doc_id", "VARCHAR"),
                ("form_version", "VARCHAR"),
                ("section", "VARCHAR"),
                ("item", "VARCHAR"),
                ("metric", "VARCHAR"),
                ("value", "DOUBLE"),
                ("status", "VARCHAR"),
                ("raw", "VARCHAR"),
                ("unit", "VARCHAR"),
                ("line", "INTEGER"),
            ],
        ),
        (
            "checks",
            vec![
                ("doc_id", "VARCHAR"),
                ("check", "VARCHAR"),
                ("expected", "DOUBLE"),
                ("actual", "DOUBLE"),
                ("reason", "VARCHAR"),
                ("outcome", "VARCHAR"),
            ],
        ),
    ] {
        let got = types(t);
        for (name, ty) in cols {
            assert!(
                got.contains(&(name.to_string(), ty.to_string())),
                "{t}.{name} {ty} in {got:?}"
            );
        }
    }
    for t in ["documents", "cells", "checks"] {
        let year = types(t)
            .into_iter()
            .find(|(n, _)| n == "year")
            .expect("year partition column");
        assert!(
            matches!(year.1.as_str(), "BIGINT" | "INTEGER"),
            "{t}.year is {}",
            year.1
        );
    }

    // Every input file is accounted for: as a row, or as a duplicate of one.
    let d = duckdb(&out, "select source_path, duplicate_paths, status, problems, year, form_version from documents order by source_path");
    let mut seen: Vec<String> = Vec::new();
    for r in rows(&d) {
        seen.push(r["source_path"].as_str().unwrap().to_string());
        for p in r["duplicate_paths"].as_array().unwrap() {
            seen.push(p.as_str().unwrap().to_string());
        }
    }
    seen.sort();
    assert_eq!(seen, files);
    let by_path = |p: &str| {
        rows(&d)
            .iter()
            .find(|r| r["source_path"] == p)
            .unwrap_or_else(|| panic!("no row for {p}"))
            .clone()
    };
    // Identical bytes share the first copy's row (walk order), the copy is listed there.
    let owner = rows(&d)
        .iter()
        .find(|r| {
            r["duplicate_paths"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p == "zz_mirror/copy_of_000.txt")
        })
        .expect("the copy is listed");
    assert!(owner["source_path"]
        .as_str()
        .unwrap()
        .starts_with("seeds/000_"));
    for (p, problem) in [
        ("other/report.pdf", "corrupt_pdf"),
        ("other/sheet.xlsx", "unsupported_format"),
        ("other/empty.txt", "empty_file"),
        ("other/scan.txt", "binary_content"),
    ] {
        let r = by_path(p);
        assert_eq!(r["status"], "failed", "{p}");
        assert!(
            r["problems"]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x == problem),
            "{p}: {r}"
        );
        assert_eq!(r["year"], 0, "{p} goes to year=0");
    }
    assert_eq!(by_path("other/notice.txt")["status"], "no_tables");
    let legacy = rows(&d)
        .iter()
        .find(|r| r["form_version"] == "legacy")
        .expect("a legacy report");
    assert_eq!(legacy["status"], "no_tables");

    // Values, through SQL as an analyst would write it.
    let v = duckdb(&out, "select c.value from cells c join documents d using (doc_id) where d.source_path like 'seeds/002%' and item = 'licensing' and metric = 'decisions'");
    assert_eq!(rows(&v)[0]["value"], 22446.0);
    let v = duckdb(&out, "select year, count(*) as n from documents where source_path like 'seeds/%' group by year order by year");
    assert_eq!(
        rows(&v)
            .iter()
            .map(|r| (r["year"].as_i64().unwrap(), r["n"].as_i64().unwrap()))
            .collect::<Vec<_>>(),
        vec![(2020, 3), (2021, 1), (2024, 1)]
    );
    let v = duckdb(&out, "select count(*) as n from cells c join documents d using (doc_id) where d.source_path like 'seeds/%'");
    assert_eq!(rows(&v)[0]["n"], 198 * 3 + 207 * 2);
    let v = duckdb(&out, "select \"check\" from checks k join documents d using (doc_id) where d.source_path like 'seeds/004%' and outcome = 'fail' order by 1");
    let failed: Vec<&str> = rows(&v)
        .iter()
        .map(|r| r["check"].as_str().unwrap())
        .collect();
    assert!(
        failed.contains(&"s3.row_sum:granted")
            && failed.contains(&"s4.group_sum:litigation_direct"),
        "{failed:?}"
    );
    // The GB18030 copy of 001 is another document with the same cells.
    let v = duckdb(&out, "select d.encoding, sum(value) as s, count(*) as n from cells c join documents d using (doc_id) where d.source_path like 'seeds/001%' or d.source_path like 'gbk/%' group by 1 order by 1");
    let r = rows(&v);
    assert_eq!(r.len(), 2);
    assert_eq!(
        (r[0]["s"].clone(), r[0]["n"].clone()),
        (r[1]["s"].clone(), r[1]["n"].clone())
    );
    // Nothing but the dataset and its lock file is left beside it.
    let leftovers: Vec<_> = std::fs::read_dir(&tmp)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "dump" && n != "out" && n != ".out.lock")
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    std::fs::remove_dir_all(&tmp).unwrap();
}

#[test]
fn same_input_gives_the_same_rows() {
    let tmp = temp_dir("determinism");
    let input = tmp.join("dump");
    mixed_dump(&input);
    // More documents than one parallel batch (`batch_docs`, 256 by default), so that batch
    // boundaries and the order in which workers finish could show.
    gongkai::synth::write_dump(
        &input.join("generated"),
        700,
        gongkai::synth::Generator::new(11),
    )
    .unwrap();
    let mut outs = Vec::new();
    for (k, threads) in ["1", "2"].iter().enumerate() {
        let out = tmp.join(format!("out{k}"));
        let o = build_output(&input, &out, &["-q", "--threads", threads]);
        assert!(o.status.success());
        outs.push(out);
    }
    let docs = duckdb(&outs[0], "select count(*) as n from documents");
    assert!(docs[0]["n"].as_i64().unwrap() > 700, "{docs}");
    for sql in [
        "select * exclude (run_id) from documents order by all",
        "select * from cells order by all",
        "select * from checks order by all",
    ] {
        assert_eq!(duckdb(&outs[0], sql), duckdb(&outs[1], sql), "{sql}");
    }
    std::fs::remove_dir_all(&tmp).unwrap();
}

/// Every SQL block of the README runs in DuckDB against the sample dataset, so the README
/// cannot drift from the dataset.
#[test]
fn every_query_in_the_readme_runs() {
    let tmp = temp_dir("readme-sql");
    let out = tmp.join("out");
    let o = build_output(&root().join("data/sample"), &out, &["-q"]);
    assert!(o.status.success());
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let blocks: Vec<&str> = readme
        .split("```sql\n")
        .skip(1)
        .map(|b| b.split("```").next().unwrap())
        .collect();
    assert!(!blocks.is_empty(), "the README has SQL examples");
    let mut statements = 0;
    for block in blocks {
        for sql in block.split(';').map(str::trim).filter(|s| {
            s.lines()
                .any(|l| !l.trim().is_empty() && !l.trim().starts_with("--"))
        }) {
            let sql = sql.replace("'out/", &format!("'{}/", out.display()));
            let rows = duckdb_raw(&sql);
            assert!(rows.is_array(), "{sql}");
            statements += 1;
        }
    }
    assert!(statements >= 5, "{statements} statements");
    println!("{statements} README statements ran");
    std::fs::remove_dir_all(&tmp).unwrap();
}
