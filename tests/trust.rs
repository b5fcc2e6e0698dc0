//! Nothing a user has may be lost: the lock under concurrent runs, files beside the tables, a
//! rebuild from a wrong input, the output inside the input, directories not followed, rows
//! superseded when a file becomes readable, and helper commands that must not overwrite inputs.

mod common;
use common::*;
use std::collections::BTreeSet;
use std::path::Path;

fn run(args: &[&str]) -> std::process::Output {
    gongkai().args(args).output().unwrap()
}

fn ok(o: &std::process::Output) {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// A directory holding the five seed reports.
fn seed_dump(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    for (name, bytes) in seeds() {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
}

fn source_paths(out: &Path) -> BTreeSet<String> {
    duckdb(out, "select source_path from documents")
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["source_path"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn concurrent_appends_over_a_stale_lock_lose_no_document() {
    let tmp = temp_dir("lock-race");
    let out = tmp.join("out");
    let base = tmp.join("base");
    std::fs::create_dir_all(&base).unwrap();
    let (name, bytes) = seed("001");
    std::fs::write(base.join(&name), bytes).unwrap();
    ok(&build_output(&base, &out, &["-q"]));
    let mut expected = BTreeSet::from([name]);

    const ROUNDS: usize = 25;
    const AT_ONCE: usize = 8;
    let mut generator = gongkai::synth::Generator::new(31);
    let (mut exited_ok, mut refused) = (0, 0);
    for round in 0..ROUNDS {
        // Every round starts from a lock file left by a process that died.
        std::fs::write(tmp.join(".out.lock"), "4194303\n").unwrap();
        let inputs: Vec<(std::path::PathBuf, Vec<String>)> = (0..AT_ONCE)
            .map(|j| {
                let dir = tmp.join(format!("in-{round}-{j}"));
                std::fs::create_dir_all(&dir).unwrap();
                let names: Vec<String> = (0..2)
                    .map(|i| {
                        let doc = generator.document(round * 100 + j * 10 + i);
                        let name = format!("r{round}-{j}-{i}.txt");
                        std::fs::write(dir.join(&name), doc.bytes).unwrap();
                        name
                    })
                    .collect();
                (dir, names)
            })
            .collect();
        let outputs: Vec<std::process::Output> = std::thread::scope(|s| {
            let handles: Vec<_> = inputs
                .iter()
                .map(|(dir, _)| {
                    let out = &out;
                    s.spawn(move || run(&["append", "-q", "--input", p(dir), "--out", p(out)]))
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for ((_, names), o) in inputs.iter().zip(&outputs) {
            match o.status.code() {
                Some(0) => {
                    exited_ok += 1;
                    expected.extend(names.iter().cloned());
                }
                Some(3) => {
                    refused += 1;
                    let err = String::from_utf8_lossy(&o.stderr);
                    assert!(
                        err.contains(".out.lock") && err.lines().count() == 1,
                        "{err}"
                    );
                }
                other => panic!("exit {other:?}: {}", String::from_utf8_lossy(&o.stderr)),
            }
        }
    }
    println!("{exited_ok} appends committed, {refused} refused at the lock");
    assert_eq!(exited_ok + refused, ROUNDS * AT_ONCE);
    assert!(
        exited_ok >= ROUNDS,
        "at least one run a round gets the lock"
    );
    assert_eq!(source_paths(&out), expected);
    std::fs::remove_dir_all(&tmp).unwrap();
}

#[test]
fn a_lock_file_naming_a_live_unrelated_process_does_not_block() {
    let tmp = temp_dir("lock-live");
    let input = tmp.join("in");
    seed_dump(&input);
    let out = tmp.join("out");
    // pid 1 is alive and is not gongkai.
    std::fs::write(tmp.join(".out.lock"), "1\n").unwrap();
    ok(&build_output(&input, &out, &["-q"]));
    assert_eq!(source_paths(&out).len(), 5);
    std::fs::remove_dir_all(&tmp).unwrap();
}

#[test]
fn a_run_keeps_every_file_it_did_not_write() {
    let tmp = temp_dir("foreign");
    let input = tmp.join("in");
    seed_dump(&input);
    let out = tmp.join("out");
    ok(&build_output(&input, &out, &["-q"]));
    let foreign = [
        ("NOTES.md", b"my notes\n".to_vec()),
        ("analysis.duckdb", vec![0u8, 1, 2, 3, 255]),
        ("data.csv", b"a,b\n1,2\n".to_vec()),
        ("exports/2024/wide.csv", b"x\n".to_vec()),
    ];
    for (name, bytes) in &foreign {
        let path = out.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    let check = |when: &str| {
        for (name, bytes) in &foreign {
            let now = std::fs::read(out.join(name))
                .unwrap_or_else(|e| panic!("{name} gone after {when}: {e}"));
            assert_eq!(&now, bytes, "{name} changed by {when}");
        }
    };
    ok(&build_output(&input, &out, &["-q"]));
    check("a rebuild");
    let more = tmp.join("more");
    std::fs::create_dir_all(&more).unwrap();
    let doc = gongkai::synth::Generator::new(3).document(0);
    std::fs::write(more.join("new.txt"), doc.bytes).unwrap();
    ok(&run(&[
        "append",
        "-q",
        "--input",
        p(&more),
        "--out",
        p(&out),
    ]));
    check("an append");
    let empty = tmp.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    ok(&build_output(&empty, &out, &["-q", "--force"]));
    check("a forced rebuild from nothing");
    std::fs::remove_dir_all(&tmp).unwrap();
}

#[test]
fn a_rebuild_that_would_leave_no_report_is_refused_unless_forced() {
    let tmp = temp_dir("empty-rebuild");
    let input = tmp.join("in");
    seed_dump(&input);
    let out = tmp.join("out");
    ok(&build_output(&input, &out, &["-q"]));
    let before = snapshot(&out);
    let empty = tmp.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let only_pdf = tmp.join("pdf");
    std::fs::create_dir_all(&only_pdf).unwrap();
    std::fs::write(only_pdf.join("report.pdf"), b"%PDF-1.7\n%\xe2\xe3\n").unwrap();
    for wrong in [&empty, &only_pdf] {
        let o = build_output(wrong, &out, &[]);
        assert_eq!(o.status.code(), Some(2), "{}", wrong.display());
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains("refusing to replace") && err.contains("--force"),
            "{err}"
        );
        assert_eq!(err.lines().count(), 1, "{err}");
        assert_eq!(snapshot(&out), before, "the dataset is unharmed");
    }
    let no_staging_left = std::fs::read_dir(&tmp)
        .unwrap()
        .all(|e| !e.unwrap().file_name().to_string_lossy().contains("staging"));
    assert!(no_staging_left);
    ok(&build_output(&only_pdf, &out, &["-q", "--force"]));
    // Only a documents table now: no cells to read.
    let docs = duckdb_raw(&format!(
        "select source_path, status from read_parquet('{}/documents/**/*.parquet')",
        out.display()
    ));
    assert_eq!(
        docs,
        serde_json::json!([{"source_path": "report.pdf", "status": "failed"}])
    );
    std::fs::remove_dir_all(&tmp).unwrap();
}

#[test]
fn the_output_inside_the_input_is_never_read_and_the_input_inside_the_output_is_refused() {
    let tmp = temp_dir("nested");
    let input = tmp.join("in");
    seed_dump(&input);
    let out = input.join("out");
    for _ in 0..3 {
        let o = build_output(&input, &out, &["-q"]);
        ok(&o);
        assert_eq!(source_paths(&out).len(), 5, "only the five reports");
        assert_eq!(
            duckdb(
                &out,
                "select count(*) as n from documents where status = 'failed'"
            ),
            serde_json::json!([{"n": 0}])
        );
    }
    let o = build_output(&input, &out, &["-q"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(
        err.matches("not followed: out (the output dataset").count(),
        1,
        "said once: {err}"
    );
    let before = snapshot(&out);
    let o = build_output(&out.join("documents"), &out, &[]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("inside the output dataset"), "{err}");
    let o = run(&["append", "--input", p(&out), "--out", p(&out)]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(snapshot(&out), before);
    std::fs::remove_dir_all(&tmp).unwrap();
}

#[test]
fn directories_not_followed_are_recorded_and_shown_even_when_quiet() {
    let tmp = temp_dir("not-followed");
    let input = tmp.join("in");
    seed_dump(&input);
    let elsewhere = tmp.join("elsewhere");
    seed_dump(&elsewhere);
    std::os::unix::fs::symlink(&elsewhere, input.join("linked")).unwrap();
    let out = tmp.join("out");
    let o = build_output(&input, &out, &["-q"]);
    ok(&o);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("not followed: linked"),
        "-q still warns: {err}"
    );
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("_manifest.json")).unwrap()).unwrap();
    let nf = m["runs"][0]["not_followed"].as_array().unwrap();
    assert!(nf[0].as_str().unwrap().starts_with("linked"), "{nf:?}");
    let status = run(&["status", "--out", p(&out)]);
    assert!(String::from_utf8_lossy(&status.stdout).contains("not followed: linked"));
    std::fs::remove_dir_all(&tmp).unwrap();
}

#[test]
fn a_failed_row_is_superseded_when_the_same_path_reads() {
    let tmp = temp_dir("supersede");
    let input = tmp.join("in");
    seed_dump(&input);
    // A FIFO is not read (it could block forever): a failed row keyed by its path.
    let late = input.join("late.txt");
    let c = std::ffi::CString::new(p(&late)).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
    let out = tmp.join("out");
    ok(&build_output(&input, &out, &["-q"]));
    let rows = "select status, problems from documents where source_path = 'late.txt'";
    assert_eq!(
        duckdb(&out, rows),
        serde_json::json!([{"status": "failed", "problems": ["not_a_regular_file"]}])
    );
    // The user replaces it with the real report; an append reads it.
    std::fs::remove_file(&late).unwrap();
    let doc = gongkai::synth::Generator::new(9).document(1);
    std::fs::write(&late, &doc.bytes).unwrap();
    ok(&run(&[
        "append",
        "-q",
        "--input",
        p(&input),
        "--out",
        p(&out),
    ]));
    let now = duckdb(&out, rows);
    assert_eq!(
        now.as_array().unwrap().len(),
        1,
        "one row for the path: {now}"
    );
    assert_ne!(now[0]["status"], "failed");
    assert_eq!(source_paths(&out).len(), 6);
    let status = String::from_utf8_lossy(&run(&["status", "--out", p(&out)]).stdout).into_owned();
    let by_status = status
        .lines()
        .find(|l| l.starts_with("by status:"))
        .unwrap();
    assert!(
        status.contains("documents: 6") && !by_status.contains("failed"),
        "{status}"
    );
    // Appending again changes nothing.
    let before = snapshot(&out);
    ok(&run(&[
        "append",
        "-q",
        "--input",
        p(&input),
        "--out",
        p(&out),
    ]));
    assert_eq!(snapshot(&out), before);
    std::fs::remove_dir_all(&tmp).unwrap();
}

#[test]
fn text_and_synth_never_write_over_what_is_there() {
    let tmp = temp_dir("no-overwrite");
    let input = tmp.join("in");
    seed_dump(&input);
    let before = snapshot(&input);
    let (first, _) = seed("000");
    for target in [input.join(&first), input.join("decoded.txt")] {
        let o = run(&["text", "--input", p(&input), "--out", p(&target)]);
        assert_eq!(o.status.code(), Some(2), "{}", target.display());
        assert_eq!(snapshot(&input), before);
    }
    let o = run(&[
        "text",
        "--input",
        p(&input.join(&first)),
        "--out",
        p(&input.join(&first)),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(snapshot(&input), before);
    let o = run(&["synth", "--docs", "3", "--out", p(&input)]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(snapshot(&input), before);
    // Where they may write, they do.
    ok(&run(&[
        "text",
        "--input",
        p(&input),
        "--out",
        p(&tmp.join("decoded.txt")),
    ]));
    ok(&run(&[
        "synth",
        "--docs",
        "3",
        "--out",
        p(&tmp.join("dump")),
    ]));
    std::fs::remove_dir_all(&tmp).unwrap();
}
