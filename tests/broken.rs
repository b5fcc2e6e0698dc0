//! A dump of everything a scrape of thousands of sites contains. The run completes, every file
//! has its row with a precise problem code, good documents beside them are unaffected, and
//! peak memory stays bounded.

mod common;
use common::*;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

fn write(dir: &Path, rel: &str, bytes: &[u8]) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, bytes).unwrap();
}

#[test]
fn a_broken_dump_is_accounted_for() {
    let tmp = temp_dir("broken");
    let d = tmp.join("dump");
    for (name, bytes) in seeds() {
        write(&d, &format!("good/{name}"), &bytes);
    }
    let (_, s001) = seed("001");
    let text001 = String::from_utf8(s001.clone()).unwrap();
    write(&d, "dup/again_001.txt", &s001);
    write(&d, "bad/empty.txt", b"");
    write(&d, "bad/blank.txt", b"  \n\n\t \n");
    write(
        &d,
        "bad/image.png",
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x10\x08\x02\0\0\0\x90\x91h6",
    );
    write(
        &d,
        "bad/archive.zip",
        b"PK\x03\x04\x14\0\0\0\x08\0\0\0!\0report.txt",
    );
    write(&d, "bad/scan.pdf", b"%PDF-1.4\n1 0 obj <<>> endobj\n");
    write(
        &d,
        "bad/image_named.txt",
        b"\xff\xd8\xff\xe0\0\x10JFIF\0\x01\x01\0\0\x01\0\x01\0\0\xff\xdb\0C\0\x08\x06\x06",
    );
    let mut utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(text001.encode_utf16().flat_map(|u| u.to_le_bytes()))
        .collect();
    utf16.truncate(utf16.len() / 3 * 2 + 1); // cut in the middle, odd length
    write(&d, "bad/truncated_utf16.txt", &utf16);
    let mut gbk = encoding_rs::GB18030.encode(&text001).0.into_owned();
    for i in (100..gbk.len()).step_by(97) {
        gbk[i] = 0xFF; // invalid lead bytes sprinkled through the text
    }
    write(&d, "bad/invalid_gbk.txt", &gbk);
    write(
        &d,
        "big/fifty_mb.txt",
        &text001
            .repeat(50 * 1024 * 1024 / text001.len() + 1)
            .into_bytes(),
    );
    write(
        &d,
        "big/one_line.txt",
        "行政许可 ".repeat(10 * 1024 * 1024 / 13).as_bytes(),
    );
    write(
        &d,
        "big/nested.html",
        "<table><tr><td><div>".repeat(100_000).as_bytes(),
    );
    let rows: String = (0..10_000)
        .map(|i| format!("(一)予以公开 | {i} | 0 | 0 | 0 | 0 | 0 | {i} |\n"))
        .collect();
    write(
        &d,
        "big/ten_thousand_rows.txt",
        text001
            .replacen("(二)部分公开", &format!("{rows}(二)部分公开"), 1)
            .as_bytes(),
    );
    std::os::unix::fs::symlink("loop", d.join("bad/loop")).unwrap();
    std::os::unix::fs::symlink("/nonexistent/gongkai", d.join("bad/dangling.txt")).unwrap();
    std::os::unix::fs::symlink("..", d.join("bad/parent_dir")).unwrap();
    let fifo = d.join("bad/pipe.txt");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let odd_name = std::ffi::OsStr::from_bytes(b"bad/gbk_name_\xc4\xea\xb1\xa8.txt");
    std::fs::write(d.join(odd_name), &s001).unwrap();
    // The odd name holds 001's bytes: a duplicate. Give it its own content instead.
    std::fs::write(
        d.join(odd_name),
        text001.replace("阜新市", "阜新市 ").as_bytes(),
    )
    .unwrap();

    let out = tmp.join("out");
    let started = std::time::Instant::now();
    let child = build_output(&d, &out, &[]);
    assert!(
        child.status.success(),
        "{}",
        String::from_utf8_lossy(&child.stderr)
    );
    let secs = started.elapsed().as_secs_f64();
    // Peak memory of the run (children's max RSS, in KiB on Linux).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    let rss_mb = usage.ru_maxrss as f64 / 1024.0;
    println!("broken dump: {secs:.1} s, peak RSS of the largest child so far {rss_mb:.0} MB");
    assert!(rss_mb < 512.0, "peak RSS {rss_mb} MB");
    let summary = String::from_utf8_lossy(&child.stderr);
    assert!(
        summary.contains("not followed: bad/parent_dir"),
        "{summary}"
    );

    let docs = duckdb(
        &out,
        "select source_path, status, problems, duplicate_paths from documents order by source_path",
    );
    let rows = docs.as_array().unwrap();
    let row = |p: &str| {
        rows.iter()
            .find(|r| r["source_path"] == p)
            .unwrap_or_else(|| panic!("no row for {p}: {docs}"))
    };
    let has = |p: &str, code: &str| {
        let r = row(p);
        assert!(
            r["problems"].as_array().unwrap().iter().any(|x| x == code),
            "{p}: expected {code}, got {r}"
        );
        r["status"].as_str().unwrap().to_string()
    };
    assert_eq!(has("bad/empty.txt", "empty_file"), "failed");
    assert_eq!(has("bad/blank.txt", "empty_file"), "failed");
    assert_eq!(has("bad/image.png", "unsupported_format"), "failed");
    assert_eq!(has("bad/archive.zip", "unsupported_format"), "failed");
    // A PDF is read now; this one has no page tree (and no %%EOF).
    assert_eq!(has("bad/scan.pdf", "corrupt_pdf"), "failed");
    assert_eq!(has("bad/image_named.txt", "binary_content"), "failed");
    assert_eq!(has("bad/loop", "read_error"), "failed");
    assert_eq!(has("bad/dangling.txt", "read_error"), "failed");
    assert_eq!(has("bad/pipe.txt", "not_a_regular_file"), "failed");
    assert_eq!(has("big/fifty_mb.txt", "too_large"), "failed");
    has("bad/truncated_utf16.txt", "decode_replaced");
    has("bad/invalid_gbk.txt", "decode_replaced");
    assert_eq!(row("big/one_line.txt")["status"], "no_tables");
    assert_eq!(row("big/nested.html")["status"], "no_tables");
    assert_eq!(has("big/ten_thousand_rows.txt", "duplicate_row"), "partial");
    assert!(
        rows.iter().any(|r| r["source_path"]
            .as_str()
            .unwrap()
            .starts_with("bad/gbk_name_")),
        "non-UTF-8 name has a row"
    );
    let dup_owner = row("dup/again_001.txt");
    assert!(dup_owner["duplicate_paths"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p.as_str().unwrap().starts_with("good/001_")));

    // Good documents are unaffected: the same cells as when processed alone.
    for (name, bytes) in seeds() {
        let alone = gongkai::process(&name, &bytes);
        let path = format!("good/{name}");
        if name.starts_with("001") {
            continue; // its row is the dup/ copy's (first in walk order), checked above
        }
        let v = duckdb(&out, &format!("select count(*) as n, count(value) as v from cells c join documents d using (doc_id) where d.source_path = '{path}'"));
        assert_eq!(v[0]["n"], alone.cells.len(), "{path}");
        assert_eq!(
            v[0]["v"],
            alone.cells.iter().filter(|c| c.value.is_some()).count(),
            "{path}"
        );
    }
    std::fs::remove_dir_all(&tmp).unwrap();
}
